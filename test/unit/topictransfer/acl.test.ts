// A TopicTransfer in a namespace whose Brokers have spec.acl: its runner signs with their account.
import type { KubeObject } from '../../../hooks/core/metacontroller.js';
import { ACCESS_KEY_ENV, SECRET_KEY_ENV } from '../../../hooks/rocketmq-pods/acl.js';
import { topicTransferHooks } from '../../../hooks/topictransfer/hooks.js';
import { customResource, FIXED_NOW, hookFailure, syncRequest } from '../../support/hook-requests.js';

const settings = { runnerImage: 'registry.example/rocketmq-operator:1.2.3' };
const acl = { enabled: true, adminSecret: 'rocketmq-admin' };
const transfer = customResource('TopicTransfer', 'move', { topic: 'T', sourceCluster: 'a', targetCluster: 'b' }, 'mq');
const broker = (name: string, brokerAcl?: object) => customResource('Broker', name, { size: 1, acl: brokerAcl }, 'mq');

function runnerEnv(brokers: KubeObject[]): unknown {
  const related = [customResource('NameService', 'name-service', { size: 1 }, 'mq'), ...brokers];
  const reply = topicTransferHooks.sync(syncRequest(transfer, { related }), FIXED_NOW, settings);
  const job = reply.children.find((c) => c.kind === 'Job') as any;
  return job.spec.template.spec.containers[0].env;
}

describe('TopicTransfer of clusters with acl', () => {
  it("gives the runner the Brokers' account from their Secret", () => {
    expect(runnerEnv([broker('a', acl), broker('b', acl)])).toEqual([
      { name: ACCESS_KEY_ENV, valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'accessKey' } } },
      { name: SECRET_KEY_ENV, valueFrom: { secretKeyRef: { name: 'rocketmq-admin', key: 'secretKey' } } },
    ]);
  });

  it('gives none without acl', () => {
    expect(runnerEnv([broker('a'), broker('b')])).toBeUndefined();
  });

  it('refuses Brokers with different Secrets', () => {
    const error = hookFailure(() => runnerEnv([broker('a', acl), broker('b', { ...acl, adminSecret: 'other' })]));
    expect(error.statusCode).toBe(422);
    expect(error.details).toEqual([expect.stringMatching(/different admin Secrets .*a TopicTransfer signs with one account/)]);
  });
});
