import fc from 'fast-check';
import { HookError } from '../../../hooks/core/errors.js';
import { consoleHooks } from '../../../hooks/console/hooks.js';
import type { HookRequest, SyncResponse } from '../../../hooks/core/metacontroller.js';
import { env, namespaceName, resourceName, resources } from '../../support/arbitraries.js';
import { afterApplying, customResource, FIXED_NOW, syncRequest } from '../../support/hook-requests.js';
import { assertHookResponse } from '../../support/contract.js';

const hooks = consoleHooks;

const container = fc
  .tuple(
    fc.constantFrom('console', 'dashboard', 'sidecar'),
    fc.constantFrom('apacherocketmq/rocketmq-dashboard:1.0.0', 'apacherocketmq/rocketmq-console:2.0.0'),
    env,
    resources,
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  )
  .map(([name, image, environment, res, port]) => ({
    name,
    image,
    ...(environment.length > 0 ? { env: environment } : {}),
    ...(res ? { resources: res } : {}),
    ...(port ? { ports: [{ containerPort: port }] } : {}),
  }));

const consoleDeployment = fc
  .record(
    {
      replicas: fc.integer({ min: 0, max: 3 }),
      selector: fc.constant({ matchLabels: { app: 'rocketmq-console' } }),
      strategy: fc.constantFrom({ type: 'Recreate' }, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }),
      labels: fc.dictionary(fc.constantFrom('app', 'team', 'tier'), fc.constantFrom('rocketmq-console', 'mq', 'web')),
      containers: fc.array(container, { minLength: 1, maxLength: 3 }),
      tolerations: fc.constant([{ operator: 'Exists' }]),
    },
    { requiredKeys: ['containers'] },
  )
  .map(({ labels, containers, tolerations, selector, ...spec }) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { labels },
    spec: {
      ...spec,
      ...(selector ? { selector } : {}),
      template: {
        metadata: { labels: { ...labels, ...selector?.matchLabels } },
        spec: { containers, ...(tolerations ? { tolerations } : {}) },
      },
    },
  }));

const consoleRequest = fc
  .tuple(
    resourceName(40),
    namespaceName,
    consoleDeployment,
    fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'),
    fc.integer({ min: 1, max: 65535 }),
    fc.boolean(),
  )
  .map(([name, namespace, deployment, serviceType, servicePort, explicit]) =>
    explicit
      ? syncRequest(
          customResource(
            'Console',
            name,
            { consoleDeployment: deployment, serviceType, servicePort, nameServers: '10.0.0.1:9876' },
            namespace,
          ),
        )
      : syncRequest(customResource('Console', name, { consoleDeployment: deployment, serviceType, servicePort }, namespace), {
          related: [customResource('NameService', 'ns', { size: 2 }, namespace)],
        }),
  );

function sync(request: HookRequest): SyncResponse<any> {
  return hooks.sync(request, FIXED_NOW);
}

describe('Console sync over generated specs', () => {
  it('gives the same answer for the same request', () => {
    fc.assert(
      fc.property(consoleRequest, (request) => {
        expect(JSON.stringify(sync(request))).toBe(JSON.stringify(sync(JSON.parse(JSON.stringify(request)))));
      }),
      { numRuns: 80 },
    );
  });

  it('renders only declared child types, named as DNS labels of at most 63 characters, in the parent namespace', () => {
    fc.assert(
      fc.property(consoleRequest, (request) => {
        const response = sync(request);
        // Types checked against the CompositeController's childResources, names, nulls, server fields.
        assertHookResponse(response, request, 'consoles');
        for (const child of response.children) expect(child.metadata.namespace).toBe(request.parent.metadata.namespace);
      }),
      { numRuns: 80 },
    );
  });

  it('keeps every container and sets the name servers once in the first', () => {
    fc.assert(
      fc.property(consoleRequest, (request) => {
        const deployment = sync(request).children.find((c) => c.kind === 'Deployment') as any;
        const source = (request.parent.spec as any).consoleDeployment;
        const containers = deployment.spec.template.spec.containers;
        expect(containers.map((c: any) => c.name)).toEqual(source.spec.template.spec.containers.map((c: any) => c.name));
        expect(containers[0].env.filter((e: any) => e.name === 'JAVA_OPTS')).toHaveLength(1);
        expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
      }),
      { numRuns: 80 },
    );
  });

  it('changes nothing when its own children come back as observed ones', () => {
    fc.assert(
      fc.property(consoleRequest, (request) => {
        const first = sync(request);
        const second = sync(afterApplying(request, first));
        expect(second.children).toEqual(first.children);
        expect(sync(afterApplying(request, second)).status).toEqual(second.status);
      }),
      { numRuns: 60 },
    );
  });

  const invalidSpec = fc.oneof(
    fc.constant({ consoleDeployment: undefined }),
    fc.constant({ consoleDeployment: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: [] } } } } }),
    fc.constant({ consoleDeployment: { apiVersion: 'apps/v1', kind: 'Deployment' } }),
    fc.record({ serviceType: fc.string().filter((s) => !['ClusterIP', 'NodePort', 'LoadBalancer'].includes(s)) }),
    fc.record({ servicePort: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65536 })) }),
    fc.constant({ nameServers: '10.0.0.1:9876', nameServiceRef: 'ns' }),
  );

  it('never renders an invalid spec: it answers 422', () => {
    fc.assert(
      fc.property(resourceName(40), consoleDeployment, invalidSpec, (name, deployment, spec) => {
        let error: unknown;
        try {
          sync(
            syncRequest(customResource('Console', name, { consoleDeployment: deployment, ...spec }, 'mq'), {
              related: [customResource('NameService', 'ns', {}, 'mq')],
            }),
          );
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(HookError);
        expect((error as HookError).statusCode).toBe(422);
      }),
      { numRuns: 100 },
    );
  });
});
