import type { FastifyInstance } from 'fastify';
import { jest } from '@jest/globals';
import { nameServiceHooks } from '../../hooks/nameservice/hooks.js';
import { buildServer } from '../../hooks/http/server.js';
import type { KubeObject } from '../../hooks/core/metacontroller.js';
import { assertHookResponse } from '../support/contract.js';
import { customResource, FIXED_NOW, type KeyStyle, syncRequest } from '../support/hook-requests.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = buildServer({ clock: () => FIXED_NOW });
  await app.ready();
});
afterAll(() => app.close());

const parent = customResource('NameService', 'ns', { size: 2 }, 'mq');
const observedStatefulSet: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: {
    name: 'ns',
    namespace: 'mq',
    uid: 'sts-uid',
    resourceVersion: '42',
    generation: 3,
    annotations: { 'metacontroller.k8s.io/last-applied-configuration': '{}' },
    managedFields: [{ manager: 'metacontroller' }],
  },
  spec: { selector: { matchLabels: { app: 'name_service', name_service_cr: 'ns' } }, serviceName: 'ns', template: {} },
  status: { replicas: 2, readyReplicas: 1 },
};

const cases: [string, KeyStyle, KubeObject[], boolean][] = [
  ['v1 keys, nothing observed yet', 'v1', [], false],
  ['v2 keys, nothing observed yet', 'v2', [], false],
  ['v1 keys with an observed StatefulSet', 'v1', [observedStatefulSet], false],
  ['v2 keys with an observed StatefulSet', 'v2', [observedStatefulSet], false],
  ['v2 keys while finalizing', 'v2', [observedStatefulSet], true],
];

describe('NameService hooks as Metacontroller calls them', () => {
  it.each(cases)('answers %s with a strict, complete reply', async (_name, keys, children, finalizing) => {
    const request = syncRequest(parent, { children, keys, finalizing });
    const url = finalizing ? '/finalize/nameservice' : '/sync/nameservice';
    const reply = await app.inject({ method: 'POST', url, payload: request });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toMatch(/application\/json/);
    const body = reply.json();
    assertHookResponse(body, request, 'nameservices');
    expect(body.children.map((c: KubeObject) => `${c.kind}/${c.metadata.name}`)).toEqual([
      'Service/ns',
      'StatefulSet/ns',
      'PodDisruptionBudget/ns',
    ]);
    expect(body.finalized).toBe(finalizing ? true : undefined);
  });

  it('reads the observed StatefulSet whichever key style the map uses', async () => {
    for (const keys of ['v1', 'v2'] as const) {
      const reply = await app.inject({
        method: 'POST',
        url: '/sync/nameservice',
        payload: syncRequest(parent, { children: [observedStatefulSet], keys }),
      });
      expect(reply.json().status.readyReplicas).toBe(1);
    }
  });

  it('asks for the name server pods as related objects', async () => {
    const reply = await app.inject({ method: 'POST', url: '/customize/nameservice', payload: { controller: {}, parent } });
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({
      relatedResources: [
        {
          apiVersion: 'v1',
          resource: 'pods',
          namespace: 'mq',
          labelSelector: { matchLabels: { app: 'name_service', name_service_cr: 'ns' } },
        },
      ],
    });
  });

  it('gives the same bytes for the same request', async () => {
    const payload = syncRequest(parent, { children: [observedStatefulSet] });
    const first = await app.inject({ method: 'POST', url: '/sync/nameservice', payload });
    const second = await app.inject({ method: 'POST', url: '/sync/nameservice', payload });
    expect(second.body).toBe(first.body);
  });
});

describe('bad input never changes a cluster', () => {
  it('answers malformed JSON with 400', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/sync/nameservice',
      headers: { 'content-type': 'application/json' },
      payload: '{"parent": ',
    });
    expect(reply.statusCode).toBe(400);
  });

  it('answers a request without a parent with 400', async () => {
    const reply = await app.inject({ method: 'POST', url: '/sync/nameservice', payload: { children: {} } });
    expect(reply.statusCode).toBe(400);
    expect(reply.json().message).toMatch(/parent/);
  });

  it('answers an invalid spec with 422 listing each failing field and what is allowed', async () => {
    const bad = customResource('NameService', 'ns', { size: -1, storageMode: 'Tape' }, 'mq');
    const reply = await app.inject({ method: 'POST', url: '/sync/nameservice', payload: syncRequest(bad) });
    expect(reply.statusCode).toBe(422);
    expect(reply.json().details).toEqual([
      'spec.size: must be >= 1',
      'spec.storageMode: must be one of EmptyDir, HostPath, StorageClass, NFS',
    ]);
  });

  it('answers an unknown kind with 404 naming the kinds it serves', async () => {
    const reply = await app.inject({ method: 'POST', url: '/sync/zookeeper', payload: syncRequest(parent) });
    expect(reply.statusCode).toBe(404);
    expect(reply.json().message).toMatch(/unknown kind "zookeeper".*nameservice/);
  });

  it('answers a parent of another kind with 400 pointing at the hook URL', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/sync/nameservice',
      payload: syncRequest(customResource('Broker', 'b', {}, 'mq')),
    });
    expect(reply.statusCode).toBe(400);
    expect(reply.json().message).toMatch(/hook URL/);
  });

  it('answers an unexpected failure inside a hook with 500 and its message', async () => {
    // A fault no valid request can cause: the NameService hook itself breaks.
    const broken = jest.spyOn(nameServiceHooks, 'sync').mockImplementation(() => {
      throw new TypeError('cannot read properties of undefined');
    });
    try {
      const reply = await app.inject({
        method: 'POST',
        url: '/sync/nameservice',
        payload: syncRequest(customResource('NameService', 'other', {}, 'mq')),
      });
      expect(reply.statusCode).toBe(500);
      expect(reply.json()).toEqual({ error: 'InternalError', message: 'could not render: cannot read properties of undefined' });
    } finally {
      broken.mockRestore();
    }
  });

  it('answers an unparseable quantity with a message naming it, never 200', async () => {
    const bad = customResource('NameService', 'ns', { resources: { limits: { memory: 'lots' } } }, 'mq');
    const reply = await app.inject({ method: 'POST', url: '/sync/nameservice', payload: syncRequest(bad) });
    expect(reply.statusCode).toBe(422);
    expect(reply.json().details).toEqual([
      'spec.resources.limits.memory: must be a Kubernetes quantity such as 512Mi, 4Gi, 500m or 2 (binary suffixes are Ki, Mi, Gi: 4GB is written 4G or 4Gi)',
    ]);
  });
});
