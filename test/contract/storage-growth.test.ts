// Storage size changes of StatefulSet-backed kinds through the hook service as Metacontroller calls
// it: a larger size answers 200 with the claims to grow in status, a smaller one keeps every child
// as observed and says why.
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../hooks/http/server.js';
import type { HookRequest, KubeObject } from '../../hooks/core/metacontroller.js';
import { assertHookResponse } from '../support/contract.js';
import { afterApplying, customResource, FIXED_NOW, syncRequest } from '../support/hook-requests.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = buildServer({ clock: () => FIXED_NOW });
  await app.ready();
});
afterAll(() => app.close());

const nameServiceWith = (storage: string) =>
  customResource(
    'NameService',
    'ns',
    {
      size: 1,
      storageMode: 'StorageClass',
      volumeClaimTemplates: [{ metadata: { name: 'logs' }, spec: { storageClassName: 'fast', resources: { requests: { storage } } } }],
    },
    'mq',
  );

async function sync(request: HookRequest) {
  const reply = await app.inject({ method: 'POST', url: '/sync/nameservice', payload: request });
  expect(reply.statusCode).toBe(200);
  const body = reply.json();
  assertHookResponse(body, request, 'nameservices');
  return body;
}

/** The next sync after the NameService was created with 1Gi claims and its spec then changed. */
async function afterChangingTo(storage: string, claims: KubeObject[] = []) {
  const first = syncRequest(nameServiceWith('1Gi'));
  const created = await sync(first);
  const next = afterApplying(first, created);
  const request = {
    ...next,
    parent: { ...next.parent, spec: nameServiceWith(storage).spec },
    related: syncRequest(next.parent, { related: claims }).related,
  };
  return { created, reply: await sync(request) };
}

describe('a NameService whose claim size changes', () => {
  it('keeps every child as observed when the size shrinks, and names the field in Ready', async () => {
    const { created, reply } = await afterChangingTo('512Mi');
    expect(reply.children).toEqual(created.children);
    expect(reply.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'InvalidSpec' });
    expect(reply.status.conditions[0].message).toContain(
      'spec.volumeClaimTemplates[0].spec.resources.requests.storage: 512Mi is less than the 1Gi the claims of StatefulSet ns were made with',
    );
  });

  it('answers a larger size with the claims to grow, keeping the claim template', async () => {
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'logs-ns-0', namespace: 'mq' },
      spec: { resources: { requests: { storage: '1Gi' } } },
    };
    const { reply } = await afterChangingTo('2Gi', [claim]);
    const statefulSet = reply.children.find((c: KubeObject) => c.kind === 'StatefulSet');
    expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
    const condition = reply.status.conditions.find((c: { type: string }) => c.type === 'StorageResizePending');
    expect(condition).toMatchObject({ status: 'True', reason: 'ClaimsSmallerThanSpec', lastTransitionTime: '2026-01-02T03:04:05Z' });
    expect(condition.message).toContain(`kubectl -n mq patch pvc logs-ns-0 -p '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}'`);
  });
});
