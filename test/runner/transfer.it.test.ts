// Topic transfers on a real RocketMQ (two clusters: cluster-a/broker-a → cluster-b/broker-b) with
// RocketMQ's own producer and consumer working throughout; mqadmin checks the end state.
import { runTransfer, StoreFailure } from '../../hooks/runner/transfer/machine.js';
import { remotingTransferAdmin } from '../../hooks/runner/transfer/admin.js';
import type { TransferState } from '../../hooks/topictransfer/state.js';
import { describeWithRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { MemoryTransferStore } from './support/memory-store.js';
import {
  closedPort,
  killAfter,
  killAtStepStart,
  type RealWorld,
  realRocketMQPerFile,
  redirectBroker,
  type Originals,
} from './support/real-transfer.js';

const MINUTE = 60_000;

describeWithRocketMQ('topic transfer on a real RocketMQ (two clusters)', () => {
  const real = realRocketMQPerFile('two-clusters');
  let world: RealWorld;
  let rmq: TestRocketMQ;
  beforeEach(() => {
    world = real.world();
    rmq = real.rmq();
  });

  const run = (topic: string) => ({
    task: 'transfer' as const,
    topic,
    source: 'cluster-a',
    target: 'cluster-b',
    consumeTimeoutSeconds: 60,
  });

  it(
    'moves a topic while a producer and a consumer work, losing no message, and mqadmin sees it only on the target',
    async () => {
      const [topic, group] = ['tt-live', 'tt-live-group'];
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      const consumer = await world.consumer(topic, group, 'broker-a');
      const before = world.producer(topic, 100, 0, 'before');
      await before.done;
      const during = world.producer(topic, 300, 20, 'during');
      await during.sentAtLeast(20);

      const state = await runTransfer(world.deps(new MemoryTransferStore()), run(topic));
      world.expectPhase(state, 'Succeeded');
      await during.done;
      const sent = new Map([...before.sent, ...during.sent]);
      expect(sent.size).toBe(400);
      await consumer.receivedAll(sent, MINUTE);
      expect(new Set(during.sent.values())).toEqual(new Set(['broker-a', 'broker-b']));

      await world.routeSettles(topic, ['broker-b']);
      const admin = world.admin();
      expect(await admin.topicConfig(world.address('broker-b'), topic)).toEqual(originals.topic);
      expect(await admin.subscriptionGroup(world.address('broker-b'), group)).toEqual(originals.group);
      expect(await admin.topicConfig(world.address('broker-b'), `%RETRY%${group}`)).toBeDefined();
      expect(await admin.topicConfig(world.address('broker-a'), topic)).toBeUndefined();

      const route = await rmq.mqadmin(['topicRoute', '-t', topic]);
      expect(route.stdout).toContain('"brokerName":"broker-b"');
      expect(route.stdout).not.toContain('"brokerName":"broker-a"');
      const status = await rmq.mqadmin(['topicStatus', '-t', topic]);
      expect(status.stdout).toMatch(/broker-b/);
      expect(status.stdout).not.toMatch(/broker-a/);
      const progress = await rmq.mqadmin(['consumerProgress', '-g', group]);
      const rows = progress.stdout.split('\n').filter((line) => line.startsWith(topic));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => /\bbroker-b\b/.test(row))).toBe(true);
    },
    4 * MINUTE,
  );

  /** The source broker's topic and group exactly as before, and nothing of the transfer left on the target. */
  async function expectSourceRestored(topic: string, group: string, originals: Originals): Promise<void> {
    const admin = world.admin();
    expect(await admin.topicConfig(world.address('broker-a'), topic)).toEqual(originals.topic);
    expect(await admin.subscriptionGroup(world.address('broker-a'), group)).toEqual(originals.group);
    expect(await admin.topicConfig(world.address('broker-b'), topic)).toBeUndefined();
    // A consumer still running heartbeats broker-b while its client remembers it, and these brokers
    // make a group they are sent heartbeats of (autoCreateSubscriptionGroup) with their defaults: what
    // must be gone is the transfer's copy, which has the source's settings.
    const onTarget = await admin.subscriptionGroup(world.address('broker-b'), group);
    if (onTarget !== undefined) {
      expect(onTarget).not.toEqual(originals.group);
      expect(onTarget.consumeBroadcastEnable).not.toBe(originals.group.consumeBroadcastEnable);
    }
    await world.routeSettles(topic, ['broker-a']);
  }

  it(
    'resumes and completes after the runner is killed at the start of each of the seven steps, losing no message',
    async () => {
      for (let step = 1; step <= 7; step++) {
        const [topic, group] = [`tt-kill-${step}`, `tt-kill-${step}-group`];
        await world.createTopicAndGroup('broker-a', topic, group);
        const consumer = await world.consumer(topic, group, 'broker-a');
        const producer = world.producer(topic, 150, 20, `kill${step}`);
        await producer.sentAtLeast(20);
        const store = new MemoryTransferStore();
        killAtStepStart(store, step);
        await expect(runTransfer(world.deps(store), run(topic))).rejects.toBeInstanceOf(StoreFailure);
        expect(store.state).toMatchObject({ phase: 'Running', step });
        store.afterSave = undefined;
        world.expectPhase(await runTransfer(world.deps(store), run(topic)), 'Succeeded');
        await producer.done;
        await consumer.receivedAll(producer.sent, MINUTE);
        await world.routeSettles(topic, ['broker-b']);
      }
    },
    10 * MINUTE,
  );

  it(
    'resumes after being killed between deleting the topic on the source broker and in the name server',
    async () => {
      const [topic, group] = ['tt-kill-mid5', 'tt-kill-mid5-group'];
      await world.createTopicAndGroup('broker-a', topic, group);
      const consumer = await world.consumer(topic, group, 'broker-a');
      const producer = world.producer(topic, 150, 20, 'mid5');
      await producer.sentAtLeast(20);
      const store = new MemoryTransferStore();
      const { admin, killed } = killAfter(remotingTransferAdmin(world.admin()), (op) => op === 'deleteTopicInBroker');
      void runTransfer(world.deps(store, admin), run(topic));
      await killed;
      expect(store.state).toMatchObject({ phase: 'Running', step: 5 });
      world.expectPhase(await runTransfer(world.deps(store), run(topic)), 'Succeeded');
      await producer.done;
      await consumer.receivedAll(producer.sent, MINUTE);
      await world.routeSettles(topic, ['broker-b']);
    },
    3 * MINUTE,
  );

  it(
    'fails without changing anything when the target cannot be reached',
    async () => {
      const [topic, group] = ['tt-unreachable', 'tt-unreachable-group'];
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      await world.consumer(topic, group, 'broker-a');
      const closed = `127.0.0.1:${await closedPort()}`;
      const admin = redirectBroker(remotingTransferAdmin(world.admin()), 'broker-b', closed, () => true);
      const state = await runTransfer(world.deps(new MemoryTransferStore(), admin), run(topic));
      world.expectPhase(state, 'Failed');
      expect(state!.message).toMatch(
        new RegExp(`cannot start: .* on broker broker-b failed: unreachable \\(connection to ${closed} failed`),
      );
      await expectSourceRestored(topic, group, originals);
    },
    2 * MINUTE,
  );

  it(
    'rolls back when the target becomes unreachable mid-way; the rollback ends Failed until the target is back, then completes',
    async () => {
      const [topic, group] = ['tt-lost-target', 'tt-lost-target-group'];
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      await world.consumer(topic, group, 'broker-a');
      const store = new MemoryTransferStore();
      let unreachable = false;
      store.afterSave = (state) => void (unreachable ||= state.steps[1]?.phase === 'Running');
      const admin = redirectBroker(remotingTransferAdmin(world.admin()), 'broker-b', `127.0.0.1:${await closedPort()}`, () => unreachable);
      const failed = await runTransfer(world.deps(store, admin), run(topic));
      world.expectPhase(failed, 'Failed');
      expect(failed!.steps[1]).toMatchObject({ phase: 'Failed', message: expect.stringMatching(/broker-b failed: unreachable/) });
      expect(failed!.message).toMatch(
        /the rollback could not finish \(.*broker-b failed: unreachable.*\); undone so far: nothing; a later rollback run retries the rest/,
      );
      unreachable = false;
      const state = await runTransfer(world.deps(store, admin), { ...run(topic), task: 'rollback' });
      world.expectPhase(state, 'RolledBack');
      expect(state!.rollback!.undone).toEqual([`deleted group ${group} from broker-b`]);
      await expectSourceRestored(topic, group, originals);
    },
    2 * MINUTE,
  );

  it(
    'rolls back when the consumers stop, keeping unread target messages, and loses none once they come back',
    async () => {
      const [topic, group] = ['tt-deadline', 'tt-deadline-group'];
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      const first = await world.consumer(topic, group, 'broker-a');
      const before = world.producer(topic, 50, 0, 'early');
      await before.done;
      await first.receivedAll(before.sent, MINUTE);
      await first.stop();
      const unread = world.producer(topic, 30, 0, 'unread');
      await unread.done;
      const during = world.producer(topic, 200, 20, 'late');
      await during.sentAtLeast(20);

      const state = await runTransfer(world.deps(new MemoryTransferStore()), { ...run(topic), consumeTimeoutSeconds: 6 });
      world.expectPhase(state, 'RolledBack');
      expect(state!.message).toMatch(
        /rolled back: step 4 .* within 6 s \(tt-deadline-group on broker-a: \d+ unconsumed\); left on the target: topic tt-deadline on broker-b, read-only/,
      );
      const admin = world.admin();
      expect(await admin.topicConfig(world.address('broker-a'), topic)).toEqual(originals.topic);
      expect(await admin.subscriptionGroup(world.address('broker-a'), group)).toEqual(originals.group);
      expect(await admin.topicConfig(world.address('broker-b'), topic)).toMatchObject({ perm: 4 });
      await during.done;
      expect(new Set(during.sent.values())).toEqual(new Set(['broker-a', 'broker-b']));

      const second = await world.consumer(topic, group, 'broker-a');
      await second.receivedAll(new Map([...unread.sent, ...during.sent]), MINUTE);
    },
    3 * MINUTE,
  );

  it(
    'completes when a consumer group is deleted on the source under it, giving the target the saved settings',
    async () => {
      const [topic, group] = ['tt-group-gone', 'tt-group-gone-group'];
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      const consumer = await world.consumer(topic, group, 'broker-a');
      const producer = world.producer(topic, 100, 20, 'gone');
      await producer.sentAtLeast(20);
      const store = new MemoryTransferStore();
      killAtStepStart(store, 1);
      await expect(runTransfer(world.deps(store), run(topic))).rejects.toBeInstanceOf(StoreFailure);
      store.afterSave = undefined;
      await world.admin().deleteSubscriptionGroup(world.address('broker-a'), group);
      world.expectPhase(await runTransfer(world.deps(store), run(topic)), 'Succeeded');
      expect(await world.admin().subscriptionGroup(world.address('broker-b'), group)).toEqual(originals.group);
      await producer.done;
      await consumer.receivedAll(producer.sent, MINUTE);
    },
    2 * MINUTE,
  );

  it(
    'rolls back a transfer killed after step 5 when asked to (its TopicTransfer deleted), restoring the source exactly',
    async () => {
      const [topic, group] = ['tt-undo', 'tt-undo-group'];
      const originals = await world.createTopicAndGroup('broker-a', topic, group);
      const consumer = await world.consumer(topic, group, 'broker-a');
      const producer = world.producer(topic, 250, 20, 'undo');
      await producer.sentAtLeast(20);
      const store = new MemoryTransferStore();
      killAtStepStart(store, 6);
      await expect(runTransfer(world.deps(store), run(topic))).rejects.toBeInstanceOf(StoreFailure);
      expect(await world.admin().topicConfig(world.address('broker-a'), topic)).toBeUndefined();
      store.afterSave = undefined;
      const state: TransferState | undefined = await runTransfer(world.deps(store), { ...run(topic), task: 'rollback' });
      world.expectPhase(state, 'RolledBack');
      // The consumer's heartbeats may also have made its retry topic on the target: that goes too.
      expect(state!.rollback!.undone.filter((line) => !line.includes('%RETRY%'))).toEqual([
        `re-created topic ${topic} on broker-a (perm 6, 6/6 queues)`,
        `removed topic ${topic} from broker-b`,
        `deleted group ${group} from broker-b`,
      ]);
      await producer.done;
      await consumer.receivedAll(producer.sent, MINUTE);
      await expectSourceRestored(topic, group, originals);
    },
    3 * MINUTE,
  );
});
