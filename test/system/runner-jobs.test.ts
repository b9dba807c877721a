// Runner Jobs executed for real: the job kubelet runs each Job pod's rendered command against a real
// RocketMQ on loopback whose brokers carry the names the Broker gives them (cluster "broker",
// brokers broker-0..3, so the Broker can grow to four groups), with the pod's ServiceAccount token.
import { type RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { compileClients } from '../runner/support/clients.js';
import { RealWorld } from '../runner/support/real-transfer.js';
import { systemSkipReason } from './support/binaries.js';
import { expectNothingDeletedSince, expectSteadyState } from './support/checks.js';
import { systemPerFile } from './support/system.js';

const skip = systemSkipReason('the system tests');
const MINUTE = 60_000;
const describeIf = skip ? (name: string, body: () => void) => describe.skip(name, body) : describeWithRocketMQ;

interface CopyState {
  phase: string;
  message: string;
  attempts: number;
}

describeIf('runner Jobs on a real RocketMQ', () => {
  const system = systemPerFile('runner Jobs');
  let rmq: TestRocketMQ;
  let world: RealWorld;
  let admin: RocketMQAdmin;
  let since: number;

  beforeAll(async () => {
    const names = [0, 1, 2, 3].map((g) => ({ clusterName: 'broker', brokerName: `broker-${g}` }));
    let classes: string;
    [rmq, classes] = await Promise.all([startRocketMQ({ names }), compileClients()]);
    world = new RealWorld(rmq, classes);
    admin = world.admin();
    const sys = system();
    sys.kubelet.nameServers.set('default', rmq.nameServer);
    await sys.apply(sys.example('nameservice.yaml'));
    await sys.apply(sys.example('broker.yaml'));
    await sys.waitFor('Broker Ready', async () => (await sys.condition('Broker', 'broker', 'Ready'))?.status === 'True', 3 * MINUTE);
    since = Date.now();
  }, 10 * MINUTE);

  afterAll(async () => {
    await world?.close();
    await rmq?.stop();
  });

  const copyState = async (group: number): Promise<CopyState | undefined> => {
    const groups = (await system().parent('Broker', 'broker'))?.status?.groups as { group: number; metadataCopy?: CopyState }[] | undefined;
    return groups?.find((g) => g.group === group)?.metadataCopy;
  };

  it(
    'scaling a Broker up copies topics and groups to the new group with the real runner, once: the copy never runs again and the size stays',
    async () => {
      const sys = system();
      await world.createTopicAndGroup('broker-0', 'copy-me', 'copy-me-group');
      await sys.kubectlOk(['patch', 'broker', 'broker', '--type=merge', '-p', '{"spec":{"size":3}}']);
      await sys.waitFor('the copy Done', async () => (await copyState(2))?.phase === 'Done', 4 * MINUTE);
      const copiedAt = Date.now();
      const target = rmq.broker('broker-2').address;
      expect(await admin.topicConfig(target, 'copy-me')).toMatchObject({ topicName: 'copy-me', readQueueNums: 6, writeQueueNums: 6 });
      expect(await admin.subscriptionGroup(target, 'copy-me-group')).toMatchObject({ groupName: 'copy-me-group', retryMaxTimes: 5 });
      expect(sys.kubelet.exits.filter((e) => e.job.startsWith('broker-copy-metadata-')).map((e) => e.code)).toEqual([0]);

      const sizes = new Set<unknown>();
      const end = Date.now() + 30_000;
      while (Date.now() < end) {
        sizes.add((await sys.parent('Broker', 'broker'))?.status?.size);
        await new Promise((r) => setTimeout(r, 500));
      }
      const created = sys.writesSince(copiedAt).filter((w) => w.verb === 'create' && w.resource === 'jobs');
      expect(sys.describe(created)).toBe('');
      expect([...sizes]).toEqual([3]);
      expect((await copyState(2))?.phase).toBe('Done');
      await expectSteadyState(sys);
      expectNothingDeletedSince(sys, since);
    },
    8 * MINUTE,
  );

  it(
    'a copy that fails (name servers unreachable at first) is retried with backoff, and the next attempt copies topics and groups to the new group',
    async () => {
      const sys = system();
      const started = Date.now();
      await world.createTopicAndGroup('broker-0', 'copy-me-too', 'copy-me-too-group');
      sys.kubelet.unreachable.add('default');
      await sys.kubectlOk(['patch', 'broker', 'broker', '--type=merge', '-p', '{"spec":{"size":4}}']);
      try {
        await sys.waitFor('the copy reported as Failed', async () => (await copyState(3))?.phase === 'Failed', 3 * MINUTE);
      } finally {
        sys.kubelet.unreachable.clear();
      }
      const failedAt = Date.now();
      const done = await sys.waitFor(
        'the copy Done',
        async () => ((await copyState(3))?.phase === 'Done' ? copyState(3) : undefined),
        4 * MINUTE,
      );
      expect(done.attempts).toBeGreaterThanOrEqual(2);
      // The retry waited for its backoff (30 s after the failure) rather than running at once.
      const retry = sys
        .writesSince(started)
        .filter((w) => w.verb === 'create' && w.resource === 'jobs' && w.name === 'broker-copy-metadata-2');
      expect(retry).toHaveLength(1);
      expect(retry[0].at).toBeGreaterThan(failedAt - 30_000);
      const target = rmq.broker('broker-3').address;
      expect(await admin.topicConfig(target, 'copy-me-too')).toMatchObject({ topicName: 'copy-me-too' });
      expect(await admin.subscriptionGroup(target, 'copy-me-too-group')).toMatchObject({ groupName: 'copy-me-too-group' });
      const exits = sys.kubelet.exits.filter((e) => e.job.startsWith('broker-copy-metadata-')).slice(1);
      expect(exits.some((e) => e.code !== 0)).toBe(true);
      expect(exits.at(-1)).toMatchObject({ code: 0 });
    },
    10 * MINUTE,
  );

  it(
    'a TopicTransfer moves a topic from broker-0 to broker-1 through its Job while a consumer reads every message, and says what happened while its runner could not reach the name servers',
    async () => {
      const sys = system();
      const [topic, group] = ['TopicTest', 'transfer-group'];
      await world.createTopicAndGroup('broker-0', topic, group);
      const consumer = await world.consumer(topic, group, 'broker-0');
      const producer = world.producer(topic, 50, 0, 'before');
      await producer.done;

      sys.kubelet.unreachable.add('default');
      await sys.apply(sys.example('topictransfer.yaml'));
      await sys.waitFor(
        'the first runner pod failed',
        async () => sys.kubelet.exits.some((e) => e.job === 'topictransfer-transfer' && e.code !== 0),
        2 * MINUTE,
      );
      const message = await sys
        .waitFor(
          'a status that tells the Job ran',
          async () => {
            const status = (await sys.parent('TopicTransfer', 'topictransfer'))?.status;
            return status && !String(status.message).includes('waiting for the transfer Job to start') ? String(status.message) : undefined;
          },
          45_000,
        )
        .catch(() => 'waiting for the transfer Job to start');
      sys.kubelet.unreachable.clear();
      expect({ messageAfterAFailedRunner: message }).not.toEqual({
        messageAfterAFailedRunner: expect.stringContaining('waiting for the transfer Job to start'),
      });

      await sys.waitFor(
        'transfer Succeeded',
        async () => (await sys.parent('TopicTransfer', 'topictransfer'))?.status?.phase === 'Succeeded',
        4 * MINUTE,
      );
      await consumer.receivedAll(producer.sent, MINUTE);
      await world.routeSettles(topic, ['broker-1']);
      expect(await admin.topicConfig(rmq.broker('broker-0').address, topic)).toBeUndefined();
      expect((await sys.condition('TopicTransfer', 'topictransfer', 'Ready'))?.status).toBe('True');
      await expectSteadyState(sys);
    },
    8 * MINUTE,
  );

  it(
    'a TopicTransfer deleted part-way stops its runner, rolls the topic back to its source through a rollback Job, and then goes away',
    async () => {
      const sys = system();
      const [topic, group] = ['TopicBack', 'back-group'];
      const originals = await world.createTopicAndGroup('broker-0', topic, group);
      const consumer = await world.consumer(topic, group, 'broker-0');
      const transfer = sys
        .example('topictransfer.yaml')
        .replace('name: topictransfer', 'name: transfer-back')
        .replace('topic: TopicTest', `topic: ${topic}`);
      await sys.apply(transfer);
      await sys.waitFor(
        'the transfer past its first step',
        async () => Number((await sys.parent('TopicTransfer', 'transfer-back'))?.status?.step) >= 2,
        3 * MINUTE,
      );
      await sys.kubectlOk(['delete', 'topictransfer', 'transfer-back', '--wait=false']);
      await sys.waitFor(
        'the TopicTransfer gone',
        async () => (await sys.parent('TopicTransfer', 'transfer-back')) === undefined,
        5 * MINUTE,
      );
      expect(sys.kubelet.exits.filter((e) => e.job === 'transfer-back-rollback').at(-1)).toMatchObject({ code: 0 });
      expect(await admin.topicConfig(rmq.broker('broker-0').address, topic)).toEqual(originals.topic);
      expect(await admin.subscriptionGroup(rmq.broker('broker-0').address, group)).toEqual(originals.group);
      expect(await admin.topicConfig(rmq.broker('broker-1').address, topic)).toBeUndefined();
      await world.routeSettles(topic, ['broker-0']);
      await consumer.stop();
    },
    10 * MINUTE,
  );
});
