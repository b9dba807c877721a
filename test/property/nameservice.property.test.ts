import fc from 'fast-check';
import { buildServer } from '../../hooks/http/server.js';
import type { KubeObject } from '../../hooks/core/metacontroller.js';
import { assertHookResponse } from '../support/contract.js';
import { afterApplying, customResource, FIXED_NOW, syncRequest } from '../support/hook-requests.js';
import { env, image, namespaceName, resourceName, resources, storage } from '../support/arbitraries.js';

const app = buildServer({ clock: () => FIXED_NOW });
afterAll(() => app.close());

const validSpec = fc
  .tuple(
    fc.record(
      {
        size: fc.integer({ min: 1, max: 7 }),
        nameServiceImage: image,
        imagePullPolicy: fc.constantFrom('Always', 'IfNotPresent', 'Never'),
        hostNetwork: fc.boolean(),
        dnsPolicy: fc.constantFrom('ClusterFirst', 'ClusterFirstWithHostNet', 'Default'),
        env,
        podAnnotations: fc.dictionary(fc.constantFrom('a', 'b/c', 'prometheus.io/scrape'), fc.string({ maxLength: 5 })),
        nodeSelector: fc.dictionary(fc.constantFrom('disk', 'zone'), fc.constantFrom('ssd', 'a')),
      },
      { requiredKeys: [] },
    ),
    resources,
    storage('namesrv-storage'),
  )
  .map(([spec, res, store]) => ({ ...spec, ...(res ? { resources: res } : {}), ...store }));

const parentArb = fc
  .tuple(resourceName(52), namespaceName, validSpec)
  .map(([name, ns, spec]) => customResource('NameService', name, spec, ns));

async function sync(payload: unknown) {
  return app.inject({ method: 'POST', url: '/sync/nameservice', payload: payload as object });
}

describe('NameService sync over generated specs', () => {
  it('always answers 200 with a reply that keeps the contract', async () => {
    await fc.assert(
      fc.asyncProperty(parentArb, async (parent) => {
        const request = syncRequest(parent);
        const reply = await sync(request);
        expect(reply.statusCode).toBe(200);
        assertHookResponse(reply.json(), request, 'nameservices');
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same answer for the same request', async () => {
    await fc.assert(
      fc.asyncProperty(parentArb, async (parent) => {
        const request = syncRequest(parent);
        expect((await sync(request)).body).toBe((await sync(request)).body);
      }),
      { numRuns: 50 },
    );
  });

  it('renders labels that match the selectors that pick them', async () => {
    await fc.assert(
      fc.asyncProperty(parentArb, async (parent) => {
        const children: KubeObject[] = (await sync(syncRequest(parent))).json().children;
        const sts = children.find((c) => c.kind === 'StatefulSet') as any;
        const svc = children.find((c) => c.kind === 'Service') as any;
        const podLabels = sts.spec.template.metadata.labels;
        expect(podLabels).toMatchObject(sts.spec.selector.matchLabels);
        expect(podLabels).toMatchObject(svc.spec.selector);
      }),
      { numRuns: 50 },
    );
  });

  it('changes nothing when its own children come back as observed ones', async () => {
    await fc.assert(
      fc.asyncProperty(parentArb, async (parent) => {
        const request = syncRequest(parent);
        const first = (await sync(request)).json();
        const second = (await sync(afterApplying(request, first))).json();
        expect(second.children).toEqual(first.children);
      }),
      { numRuns: 50 },
    );
  });

  const invalidSpec = fc.oneof(
    fc.record({ size: fc.integer({ max: 0 }) }),
    fc.record({ size: fc.constantFrom('three', 2.5, true) }),
    fc.record({ storageMode: fc.string({ minLength: 1 }).filter((s) => !['EmptyDir', 'HostPath', 'StorageClass', 'NFS'].includes(s)) }),
    fc.constant({ storageMode: 'HostPath' }),
    fc.constant({ storageMode: 'StorageClass' }),
    fc.record({ imagePullPolicy: fc.string().filter((s) => !['Always', 'IfNotPresent', 'Never'].includes(s)) }),
    fc.record({ env: fc.constant([{ value: 'no name' }]) }),
    fc.record({ nameServiceImage: fc.constant('') }),
  );

  it('never answers 200 to an invalid spec', async () => {
    await fc.assert(
      fc.asyncProperty(resourceName(52), invalidSpec, async (name, spec) => {
        const reply = await sync(syncRequest(customResource('NameService', name, spec, 'mq')));
        expect(reply.statusCode).toBe(422);
        expect(reply.json().details.length).toBeGreaterThan(0);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses names that would make invalid child names', async () => {
    for (const name of ['a'.repeat(53), '9lives']) {
      const reply = await sync(syncRequest(customResource('NameService', name, {}, 'mq')));
      expect(reply.statusCode).toBe(422);
      expect(reply.json().message).toMatch(/is invalid: metadata\.name /);
    }
  });
});
