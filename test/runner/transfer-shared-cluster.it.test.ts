// Topic transfers between two brokers of ONE cluster on a real RocketMQ (test-cluster: broker-a →
// broker-b, the README's `broker-0` → `broker-1` case). A name server drops queue data only per
// cluster, so removing the topic from one broker takes the other's route too and the runner must
// have it registered again at once.
import { remotingTransferAdmin } from '../../hooks/runner/transfer/admin.js';
import { runTransfer, StoreFailure } from '../../hooks/runner/transfer/machine.js';
import { describeWithRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { MemoryTransferStore } from './support/memory-store.js';
import { killAfter, killAtStepStart, type RealWorld, realRocketMQPerFile } from './support/real-transfer.js';

const MINUTE = 60_000;

describeWithRocketMQ('topic transfer on a real RocketMQ (two brokers of one cluster)', () => {
  const real = realRocketMQPerFile('one-cluster');
  let world: RealWorld;
  let rmq: TestRocketMQ;
  beforeEach(() => {
    world = real.world();
    rmq = real.rmq();
  });

  const run = (topic: string) => ({ task: 'transfer' as const, topic, source: 'broker-a', target: 'broker-b', consumeTimeoutSeconds: 60 });

  it(
    'moves a topic to the other broker, whose route survives the removal of the source, losing no message',
    async () => {
      const [topic, group] = ['ts-live', 'ts-live-group'];
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      const consumer = await world.consumer(topic, group, 'broker-a');
      const producer = world.producer(topic, 300, 20, 'shared');
      await producer.sentAtLeast(20);
      const state = await runTransfer(world.deps(new MemoryTransferStore()), run(topic));
      world.expectPhase(state, 'Succeeded');
      expect(state!.saved).toMatchObject({
        sourceBrokers: [{ brokerName: 'broker-a', clusterName: 'test-cluster' }],
        targetBrokers: [{ brokerName: 'broker-b' }],
      });
      await producer.done;
      expect(new Set(producer.sent.values())).toEqual(new Set(['broker-a', 'broker-b']));
      await consumer.receivedAll(producer.sent, MINUTE);
      await world.routeSettles(topic, ['broker-b']);
      expect(await world.admin().topicConfig(world.address('broker-b'), topic)).toEqual(originals.topic);
      const route = await rmq.mqadmin(['topicRoute', '-t', topic]);
      expect(route.stdout).toContain('"brokerName":"broker-b"');
      expect(route.stdout).not.toContain('"brokerName":"broker-a"');
    },
    3 * MINUTE,
  );

  it(
    'resumes after being killed while registering the target again, leaving its config exactly as it was',
    async () => {
      const [topic, group] = ['ts-flip', 'ts-flip-group'];
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      const consumer = await world.consumer(topic, group, 'broker-a');
      const producer = world.producer(topic, 200, 20, 'flip');
      await producer.sentAtLeast(20);
      const store = new MemoryTransferStore();
      let routeDeleted = false;
      const { admin, killed } = killAfter(remotingTransferAdmin(world.admin()), (op, args) => {
        routeDeleted ||= op === 'deleteTopicInNameServers';
        // The first of the two updates that make broker-b register again: its perm is flipped now.
        return routeDeleted && op === 'putTopic' && args[0] === world.address('broker-b');
      });
      void runTransfer(world.deps(store, admin), run(topic));
      await killed;
      expect(await world.admin().topicConfig(world.address('broker-b'), topic)).not.toEqual(originals.topic);
      world.expectPhase(await runTransfer(world.deps(store), run(topic)), 'Succeeded');
      expect(await world.admin().topicConfig(world.address('broker-b'), topic)).toEqual(originals.topic);
      await world.routeSettles(topic, ['broker-b']);
      await producer.done;
      await consumer.receivedAll(producer.sent, MINUTE);
    },
    3 * MINUTE,
  );

  it(
    'rolls back from step 7 without taking the source route away with the target',
    async () => {
      const [topic, group] = ['ts-undo', 'ts-undo-group'];
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      const consumer = await world.consumer(topic, group, 'broker-a');
      const producer = world.producer(topic, 250, 20, 'undo');
      await producer.sentAtLeast(20);
      const store = new MemoryTransferStore();
      killAtStepStart(store, 7);
      await expect(runTransfer(world.deps(store), run(topic))).rejects.toBeInstanceOf(StoreFailure);
      store.afterSave = undefined;
      const state = await runTransfer(world.deps(store), { ...run(topic), task: 'rollback' });
      world.expectPhase(state, 'RolledBack');
      await world.routeSettles(topic, ['broker-a']);
      const admin = world.admin();
      expect(await admin.topicConfig(world.address('broker-a'), topic)).toEqual(originals.topic);
      expect(await admin.subscriptionGroup(world.address('broker-a'), group)).toEqual(originals.group);
      expect(await admin.topicConfig(world.address('broker-b'), topic)).toBeUndefined();
      await producer.done;
      await consumer.receivedAll(producer.sent, MINUTE);
    },
    3 * MINUTE,
  );
});
