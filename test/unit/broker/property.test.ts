import fc from 'fast-check';
import { HookError } from '../../../hooks/core/errors.js';
import type { HookRequest, SyncResponse } from '../../../hooks/core/metacontroller.js';
import { env, namespaceName, resourceName, resources, storage } from '../../support/arbitraries.js';
import { afterApplying, applyAndSettle, broker, FIXED_NOW, hooks, nameService, syncRequest } from './support.js';
import { assertHookResponse } from '../../support/contract.js';

const brokerImage = fc.constantFrom(
  'apache/rocketmq:5.3.1',
  'apache/rocketmq:4.9.8',
  'apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0',
  'registry.example.com/mq/rocketmq:5.3.1',
);
const propertyKey = fc.constantFrom(
  'deleteWhen',
  'fileReservedTime',
  'flushDiskType',
  'autoCreateTopicEnable',
  'sendMessageThreadPoolNums',
);

const validSpec = fc
  .tuple(
    fc.record(
      {
        size: fc.integer({ min: 1, max: 4 }),
        replicaPerGroup: fc.integer({ min: 0, max: 2 }),
        brokerImage,
        imagePullPolicy: fc.constantFrom('Always', 'IfNotPresent', 'Never'),
        hostNetwork: fc.boolean(),
        allowRestart: fc.boolean(),
        replicationMode: fc.constantFrom('ASYNC', 'SYNC'),
        properties: fc.dictionary(propertyKey, fc.stringMatching(/^[a-zA-Z0-9_.]{0,8}$/)),
        env,
        podAnnotations: fc.dictionary(fc.constantFrom('a', 'b/c', 'prometheus.io/scrape'), fc.string({ maxLength: 5 })),
        nodeSelector: fc.dictionary(fc.constantFrom('disk', 'zone'), fc.constantFrom('ssd', 'a')),
      },
      { requiredKeys: [] },
    ),
    resources,
    storage('broker-storage'),
  )
  .map(([spec, res, store]) => ({ ...spec, ...(res ? { resources: res } : {}), ...store }));

/** How masters are chosen: fixed, by controllers (a list, or a Controller that may not exist yet), or by DLedger. */
const modeFields = fc.constantFrom<Record<string, unknown>>(
  {},
  { clusterMode: 'CONTROLLER', controllerAddr: '10.0.0.5:9878;c-1.c.mq.svc:9878' },
  { clusterMode: 'CONTROLLER', controllerRef: 'controller', replicationMode: 'SYNC' },
  { replicationMode: 'DLEDGER' },
);

/** A valid spec in any mode: DLEDGER groups have at least 3 brokers. */
const validModeSpec = fc.tuple(validSpec, modeFields).map(([spec, mode]) => {
  const merged: Record<string, unknown> = { ...spec, ...mode };
  if (mode.clusterMode === 'CONTROLLER' && !mode.replicationMode) delete merged.replicationMode;
  if (mode.replicationMode === 'DLEDGER') merged.replicaPerGroup = Math.max(2, Number(spec.replicaPerGroup ?? 1));
  return merged;
});

/** The fields a Broker's mode is made of, which cannot change on an existing one. */
const MODE_FIELDS = ['clusterMode', 'replicationMode', 'controllerAddr', 'controllerRef'];

/** A Broker with what it needs to render: its own name-server list or a NameService beside it. */
const brokerRequest = fc
  .tuple(resourceName(30), namespaceName, validModeSpec, fc.integer({ min: 0, max: 3 }))
  .map(([name, namespace, spec, nameServers]) =>
    nameServers === 0
      ? syncRequest(broker({ ...spec, nameServers: '10.0.0.1:9876' }, name, namespace))
      : syncRequest(broker(spec, name, namespace), { related: [nameService('ns', namespace, nameServers)] }),
  );

function sync(request: HookRequest): SyncResponse<object> {
  return hooks.sync(request, FIXED_NOW);
}

describe('Broker sync over generated specs', () => {
  it('gives the same answer for the same request', () => {
    fc.assert(
      fc.property(brokerRequest, (request) => {
        expect(JSON.stringify(sync(request))).toBe(JSON.stringify(sync(JSON.parse(JSON.stringify(request)))));
      }),
      { numRuns: 60 },
    );
  });

  it('renders only declared child types, in the parent namespace, named as DNS labels of at most 63 characters, without nulls', () => {
    fc.assert(
      fc.property(brokerRequest, (request) => {
        const response = sync(request);
        // Types checked against the CompositeController's childResources, names, nulls, server fields.
        assertHookResponse(response, request, 'brokers');
        for (const child of response.children) expect(child.metadata.namespace).toBe(request.parent.metadata.namespace);
      }),
      { numRuns: 80 },
    );
  });

  it('renders pod labels that match the selectors picking them', () => {
    fc.assert(
      fc.property(brokerRequest, (request) => {
        const response = sync(request);
        const service = response.children.find((c) => c.kind === 'Service') as any;
        for (const sts of response.children.filter((c) => c.kind === 'StatefulSet') as any[]) {
          expect(sts.spec.template.metadata.labels).toMatchObject(sts.spec.selector.matchLabels);
          expect(sts.spec.template.metadata.labels).toMatchObject(service.spec.selector);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('changes nothing when its own children come back as observed ones, settled or not', () => {
    fc.assert(
      fc.property(brokerRequest, (request) => {
        const first = sync(request);
        const applied = afterApplying(request, first);
        expect(sync(applied).children).toEqual(first.children);
        const settledRequest = applyAndSettle(request, first);
        const second = sync(settledRequest);
        expect(second.children).toEqual(first.children);
        expect(sync(applyAndSettle(settledRequest, second)).status).toEqual(second.status);
      }),
      { numRuns: 50 },
    );
  });

  it('moves at most one existing broker pod per reply, whatever the spec change', () => {
    fc.assert(
      fc.property(brokerRequest, validSpec, (request, nextSpec) => {
        const running = applyAndSettle(request, sync(request));
        const before = request.parent.spec as any;
        // The mode stays (changing it is refused), and with it a DLEDGER group's size.
        const mode = Object.fromEntries(MODE_FIELDS.filter((f) => before[f] !== undefined).map((f) => [f, before[f]]));
        const spec = {
          ...(before.clusterMode === 'CONTROLLER' ? { ...nextSpec, replicationMode: undefined } : nextSpec),
          ...mode,
          ...(before.replicationMode === 'DLEDGER' ? { replicaPerGroup: before.replicaPerGroup } : {}),
          size: Math.max(nextSpec.size ?? 1, before.size ?? 1),
          nameServers: before.nameServers,
        };
        const changed: HookRequest = { ...running, parent: { ...running.parent, spec } };
        const observed = Object.values(running.children!['StatefulSet.apps/v1']);
        const moved = sync(changed).children.filter((c) => {
          const before = observed.find((o) => o.metadata.name === c.metadata.name);
          return (
            c.kind === 'StatefulSet' && before && JSON.stringify((c as any).spec.template) !== JSON.stringify((before as any).spec.template)
          );
        });
        expect(moved.length).toBeLessThanOrEqual(spec.allowRestart === false ? 0 : 1);
      }),
      { numRuns: 60 },
    );
  });

  const invalidSpec = fc.oneof(
    fc.record({ size: fc.integer({ max: 0 }) }),
    fc.record({ size: fc.constantFrom('two', 1.5, true) }),
    fc.record({ replicaPerGroup: fc.integer({ max: -1 }) }),
    fc.record({ storageMode: fc.string({ minLength: 1 }).filter((s) => !['EmptyDir', 'HostPath', 'StorageClass', 'NFS'].includes(s)) }),
    fc.constant({ storageMode: 'HostPath' }),
    fc.constant({ storageMode: 'StorageClass' }),
    fc.record({ imagePullPolicy: fc.string().filter((s) => !['Always', 'IfNotPresent', 'Never'].includes(s)) }),
    fc.record({ replicationMode: fc.string().filter((s) => !['ASYNC', 'SYNC', 'DLEDGER'].includes(s)) }),
    fc.record({ clusterMode: fc.constantFrom('CONTAINER', 'controller') }),
    fc.record({ replicationMode: fc.constant('DLEDGER'), replicaPerGroup: fc.constantFrom(0, 1) }),
    fc.constant({ clusterMode: 'CONTROLLER', replicationMode: 'DLEDGER', replicaPerGroup: 2 }),
    fc.record({ controllerRef: fc.constant('c'), controllerAddr: fc.constantFrom('', 'a:9878') }),
    fc.constant({ clusterMode: 'CONTROLLER', controllerAddr: 'a:9878', controllerRef: 'c' }),
    fc.record({ clusterMode: fc.constant('CONTROLLER'), controllerAddr: fc.constantFrom('a', 'a:9878;', 'tcp://a:9878', 'a:99999') }),
    fc.record({
      clusterMode: fc.constant('CONTROLLER'),
      controllerAddr: fc.constant('a:9878'),
      properties: fc.constantFrom({ enableControllerMode: 'false' }, { controllerAddr: 'b:9878' }),
    }),
    fc.record({
      replicationMode: fc.constant('DLEDGER'),
      replicaPerGroup: fc.constant(2),
      properties: fc.constant({ dLegerSelfId: 'n9' }),
    }),
    fc.constant({ nameServers: '10.0.0.1:9876', nameServiceRef: 'ns' }),
    fc.record({ env: fc.constant([{ value: 'no name' }]) }),
    fc.record({ brokerImage: fc.constant('') }),
    fc.record({
      properties: fc.constantFrom({ brokerId: '3' }, { deleteWhen: '04\nbrokerRole=SLAVE' }, { 'two words': 'x' }, { brokerRole: 'SLAVE' }),
    }),
    fc.record({ resources: fc.constant({ limits: { memory: 'plenty' } }) }),
    fc.record({ volumes: fc.constant([{ name: 'broker-storage', emptyDir: {} }]) }),
  );

  it('never renders an invalid spec: it answers 422 naming the field', () => {
    fc.assert(
      fc.property(resourceName(30), invalidSpec, (name, spec) => {
        const request = syncRequest(broker(spec, name, 'mq'), { related: [nameService('ns', 'mq')] });
        let error: unknown;
        try {
          sync(request);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(HookError);
        expect((error as HookError).statusCode).toBe(422);
        expect((error as HookError).message).toMatch(/spec\./);
      }),
      { numRuns: 150 },
    );
  });

  it('answers 422 rather than rendering invalid names for long or dotted names', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(resourceName(20), fc.integer({ min: 40, max: 63 })).map(([n, length]) => n.padEnd(length, 'x')),
          resourceName(20).map((n) => `${n}.x`),
        ),
        (name) => {
          const request = syncRequest(broker({}, name), { related: [nameService()] });
          expect(() => sync(request)).toThrow(/is invalid: metadata\.name /);
        },
      ),
      { numRuns: 50 },
    );
  });
});
