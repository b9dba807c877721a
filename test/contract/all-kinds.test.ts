// Every kind answers Metacontroller-shaped requests with replies that keep the contract, whether
// the children map uses v1 or v2 keys, whether children exist yet, and whether it is finalizing.
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../hooks/http/server.js';
import type { KubeObject, SyncResponse } from '../../hooks/core/metacontroller.js';
import { assertHookResponse } from '../support/contract.js';
import { customResource, FIXED_NOW, syncRequest, type KeyStyle } from '../support/hook-requests.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = buildServer({ clock: () => FIXED_NOW });
  await app.ready();
});
afterAll(() => app.close());

const nameService = customResource('NameService', 'name-service', { size: 2 }, 'mq');
const brokerConfig: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'broker-config', namespace: 'mq' },
  data: { 'broker-common.conf': 'brokerRole=ASYNC_MASTER\nflushDiskType=ASYNC_FLUSH\n' },
};

const kinds: { kind: string; resource: string; parent: KubeObject; related: KubeObject[] }[] = [
  { kind: 'nameservice', resource: 'nameservices', parent: nameService, related: [] },
  {
    kind: 'broker',
    resource: 'brokers',
    parent: customResource(
      'Broker',
      'broker',
      { size: 2, replicaPerGroup: 1, volumes: [{ name: 'broker-config', configMap: { name: 'broker-config' } }] },
      'mq',
    ),
    related: [nameService, brokerConfig],
  },
  {
    kind: 'console',
    resource: 'consoles',
    parent: customResource(
      'Console',
      'console',
      {
        consoleDeployment: {
          spec: {
            replicas: 1,
            template: { spec: { containers: [{ name: 'console', image: 'apacherocketmq/rocketmq-dashboard:2.0.0' }] } },
          },
        },
      },
      'mq',
    ),
    related: [nameService],
  },
  {
    kind: 'proxy',
    resource: 'proxies',
    parent: customResource('Proxy', 'proxy', { size: 2, config: { grpcThreadPoolNums: '16' } }, 'mq'),
    related: [nameService, customResource('Broker', 'broker', { size: 2 }, 'mq')],
  },
  {
    kind: 'controller',
    resource: 'controllers',
    parent: customResource('Controller', 'rocketmq-controller', { size: 3 }, 'mq'),
    related: [],
  },
  {
    kind: 'topictransfer',
    resource: 'topictransfers',
    parent: customResource('TopicTransfer', 'move', { topic: 'TopicTest', sourceCluster: 'broker-0', targetCluster: 'broker-1' }, 'mq'),
    related: [nameService],
  },
];

async function call(hook: string, kind: string, payload: object): Promise<{ status: number; body: SyncResponse }> {
  const reply = await app.inject({ method: 'POST', url: `/${hook}/${kind}`, payload });
  return { status: reply.statusCode, body: reply.json() };
}

describe.each(kinds)('$kind hooks', ({ kind, resource, parent, related }) => {
  it.each(['v1', 'v2'] as KeyStyle[])('keep the contract with %s keys, before and after their children exist', async (keys) => {
    const first = syncRequest(parent, { related, keys });
    const created = await call('sync', kind, first);
    expect(created.status).toBe(200);
    assertHookResponse(created.body, first, resource);
    const observed = created.body.children.map((c) => ({ ...c, metadata: { ...c.metadata, namespace: 'mq' } }));
    const again = syncRequest(parent, { related, keys, children: observed });
    const synced = await call('sync', kind, again);
    expect(synced.status).toBe(200);
    assertHookResponse(synced.body, again, resource);
    expect(synced.body.children).toEqual(created.body.children);
  });

  it('keeps the contract while finalizing', async () => {
    const request = syncRequest(parent, { related, finalizing: true });
    const finalized = await call('finalize', kind, request);
    expect(finalized.status).toBe(200);
    assertHookResponse(finalized.body, request, resource);
    expect(typeof finalized.body.finalized).toBe('boolean');
  });

  it('asks only for related objects it can be sent', async () => {
    const reply = await call('customize', kind, { controller: {}, parent });
    expect(reply.status).toBe(200);
    for (const rule of (reply.body as unknown as { relatedResources: { namespace?: string }[] }).relatedResources) {
      expect(rule.namespace).toBe('mq');
    }
  });
});
