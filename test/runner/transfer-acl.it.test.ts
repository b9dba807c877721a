// A TopicTransfer between brokers with spec.acl, on real RocketMQ 5.3.3: the brokers run the
// configuration and start steps the Broker hook renders, and the runner's admin is built as the
// TopicTransfer's Job builds it, from the command and the Secret-backed variables that Job is given.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { V1EnvVar } from '@kubernetes/client-node';
import { parseArgs, type TopicTransferCommand } from '../../hooks/jobs/runner-command.js';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import type { Credentials } from '../../hooks/rocketmq/signature.js';
import { ACCESS_KEY, SECRET_KEY } from '../../hooks/rocketmq-pods/acl.js';
import { credentialsFromEnv } from '../../hooks/runner/credentials.js';
import { remotingTransferAdmin, type TransferAdmin } from '../../hooks/runner/transfer/admin.js';
import { runTransfer } from '../../hooks/runner/transfer/machine.js';
import { topicTransferHooks } from '../../hooks/topictransfer/hooks.js';
import { expectSuccess } from '../rocketmq/mqadmin-output.js';
import { ADMIN_SECRET, aclBroker, mountRenderedFiles, renderedBroker, runBrokerStartSteps } from '../support/acl.js';
import { customResource, syncRequest } from '../support/hook-requests.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { compileClients } from './support/clients.js';
import { MemoryTransferStore } from './support/memory-store.js';
import { RealWorld } from './support/real-transfer.js';

jest.setTimeout(120_000);

const IMAGE = 'apache/rocketmq:5.3.3';
const MINUTE = 60_000;

/**
 * The rendered transfer Job of a TopicTransfer of `topic` in the namespace of the Broker with
 * spec.acl: its command, and its environment as the pod gets it from the Secret holding `account`.
 */
function transferJob(topic: string, account: Credentials): { command: TopicTransferCommand; env: NodeJS.ProcessEnv } {
  const transfer = customResource('TopicTransfer', 'move', { topic, sourceCluster: 'broker-a', targetCluster: 'broker-b' });
  const related = [customResource('NameService', 'name-service', { size: 1 }), aclBroker(IMAGE)];
  const job = topicTransferHooks.sync(syncRequest(transfer, { related }), new Date()).children.find((c) => c.kind === 'Job') as any;
  const container = job.spec.template.spec.containers[0];
  // The admin Secret's data; the Job may read no other Secret.
  const data: Record<string, string> = { [ACCESS_KEY]: account.accessKey, [SECRET_KEY]: account.secretKey };
  const env = Object.fromEntries(
    (container.env as V1EnvVar[]).map(({ name, valueFrom }) => {
      const ref = valueFrom!.secretKeyRef!;
      expect(ref.name).toBe(ADMIN_SECRET);
      return [name, data[ref.key]];
    }),
  );
  return { command: parseArgs(container.args) as TopicTransferCommand, env };
}

/** A transfer admin that remembers which operations it was asked for. */
function recording(admin: TransferAdmin): { admin: TransferAdmin; calls: string[] } {
  const calls: string[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(admin).map(([op, fn]) => [op, (...args: unknown[]) => (calls.push(op), (fn as (...a: unknown[]) => unknown)(...args))]),
  ) as unknown as TransferAdmin;
  return { admin: wrapped, calls };
}

describeWithRocketMQ('topic transfer between real RocketMQ 5.3.3 brokers with spec.acl', () => {
  const account: Credentials = {
    accessKey: `admin-${randomBytes(4).toString('hex')}`,
    secretKey: `s3cret-${randomBytes(8).toString('hex')}`,
  };
  const rendered = renderedBroker(IMAGE);
  let mq: TestRocketMQ;
  let world: RealWorld;

  beforeAll(async () => {
    let classes: string;
    [mq, classes] = await Promise.all([
      startRocketMQ({
        version: '5.3.3',
        brokerProperties: rendered.properties,
        credentials: account,
        // A busy machine (a CI run beside it) may need minutes for two brokers.
        timeoutMs: 4 * MINUTE,
        prepareBroker: (broker, root) => {
          mkdirSync(broker.storeDir, { recursive: true });
          mountRenderedFiles(rendered, broker, root);
          return runBrokerStartSteps(rendered.command, broker, root, account);
        },
      }),
      compileClients(),
    ]);
    world = new RealWorld(mq, classes, account);
  }, 5 * MINUTE);

  afterAll(async () => {
    await world?.close();
    await mq?.stop();
  });

  it(
    "moves a topic with live signed traffic when the runner signs with the Secret's account, and refuses it unsigned",
    async () => {
      const [topic, group] = ['acl-move', 'acl-move-group'];
      const { command, env } = transferJob(topic, account);
      // The name servers are the test's own; the rest is the rendered Job's command.
      const run = { ...command, nameServers: mq.nameServer, consumeTimeoutSeconds: 60 };
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      const address = { a: world.address('broker-a'), b: world.address('broker-b') };

      // Unsigned, the runner reads the cluster from the name server, then the broker refuses its first request.
      const unsigned = new RocketMQAdmin({ nameServers: mq.nameServer });
      const refused = recording(remotingTransferAdmin(unsigned));
      const failed = await runTransfer(world.deps(new MemoryTransferStore(), refused.admin), run).finally(() => unsigned.close());
      world.expectPhase(failed, 'Failed');
      // Code 16: NO_PERMISSION, with RocketMQ's reason for a request that carries no account.
      expect(failed!.message).toMatch(
        /^cannot start: reading topic acl-move on broker broker-a failed: .* code 16: username cannot be null/,
      );
      expect(failed!.saved).toBeUndefined();
      expect(refused.calls).toEqual(['clusterInfo', 'topicConfig']);
      expect(await world.admin().topicConfig(address.a, topic)).toEqual(originals.topic);
      expect(await world.admin().topicConfig(address.b, topic)).toBeUndefined();
      await world.routeSettles(topic, ['broker-a']);

      const consumer = await world.consumer(topic, group, 'broker-a');
      const producer = world.producer(topic, 150, 20, 'acl');
      await producer.sentAtLeast(20);
      const signed = new RocketMQAdmin({ nameServers: run.nameServers, credentials: credentialsFromEnv(env) });
      const state = await runTransfer(world.deps(new MemoryTransferStore(), remotingTransferAdmin(signed)), run).finally(() =>
        signed.close(),
      );
      world.expectPhase(state, 'Succeeded');
      await producer.done;
      expect(new Set(producer.sent.values())).toEqual(new Set(['broker-a', 'broker-b']));
      await consumer.receivedAll(producer.sent, MINUTE);
      await world.routeSettles(topic, ['broker-b']);
      expect(await world.admin().topicConfig(address.b, topic)).toEqual(originals.topic);
      expect(await world.admin().topicConfig(address.a, topic)).toBeUndefined();

      // mqadmin signs with $ROCKETMQ_HOME/conf/tools.yml: with the account, the brokers show the topic on broker-b only.
      mkdirSync(join(mq.root, 'conf'), { recursive: true });
      writeFileSync(join(mq.root, 'conf', 'tools.yml'), `accessKey: ${account.accessKey}\nsecretKey: ${account.secretKey}\n`);
      const status = expectSuccess(await mq.mqadmin(['topicStatus', '-t', topic]), 'topicStatus');
      expect(status).toContain('broker-b');
      expect(status).not.toContain('broker-a');
      const route = expectSuccess(await mq.mqadmin(['topicRoute', '-t', topic]), 'topicRoute');
      expect(route).toContain('"brokerName":"broker-b"');
      expect(route).not.toContain('"brokerName":"broker-a"');
    },
    3 * MINUTE,
  );
});
