// The transfer state machine against an in-memory RocketMQ: transitions, resume from every write,
// compare-and-swap, rollback from every step, and faults a real RocketMQ cannot show on cue.
import { RemotingConnectionError } from '../../hooks/rocketmq/errors.js';
import { runTransfer, StoreFailure } from '../../hooks/runner/transfer/machine.js';
import { ConflictError } from '../../hooks/runner/transfer/store.js';
import type { TransferState } from '../../hooks/topictransfer/state.js';
import { groupConfig, topicConfig, type FakeCall } from './support/fake-rocketmq.js';
import { Killed, MemoryTransferStore } from './support/memory-store.js';
import {
  depsFor,
  expectRestored,
  expectTransferred,
  FakeClock,
  GROUP,
  ORIGINAL_GROUP,
  ORIGINAL_TOPIC,
  scenario,
  TOPIC,
  watchForLoss,
  type Layout,
} from './support/scenario.js';

const LAYOUTS: Layout[] = ['two clusters', 'one shared cluster'];

const phasesOf = (state: TransferState | undefined) => state?.steps.map((s) => `${s.step}:${s.phase}`);

/** Writes of an undisturbed transfer, and its RocketMQ changes, for the exhaustive kill tests. */
async function undisturbedCounts(layout: Layout): Promise<{ writes: number; mutations: number }> {
  const { mq, run } = scenario(layout);
  const store = new MemoryTransferStore();
  await runTransfer(depsFor(mq, store), run);
  return { writes: store.history.length, mutations: mq.mutations().length };
}

/** A transfer killed right after the `killAt`-th write of its record, ready for the next run. */
async function killedAfterWrite(layout: Layout, killAt: number) {
  const { mq, src, dst, run } = scenario(layout);
  const losses = watchForLoss(mq);
  const store = new MemoryTransferStore();
  store.afterSave = (_state, count) => {
    if (count === killAt) throw new Killed();
  };
  await expect(runTransfer(depsFor(mq, store), run)).rejects.toBeInstanceOf(StoreFailure);
  store.afterSave = undefined;
  return { mq, src, dst, run, store, losses };
}

describe.each(LAYOUTS)('a topic transfer (%s)', (layout) => {
  it('moves the topic and its groups to the target and takes them off the source, with every step recorded', async () => {
    const { mq, src, dst, run } = scenario(layout);
    const losses = watchForLoss(mq);
    const store = new MemoryTransferStore();
    const state = await runTransfer(depsFor(mq, store), run);
    expect(state).toMatchObject({ phase: 'Succeeded', step: 7 });
    expect(phasesOf(state)).toEqual([
      '1:Succeeded',
      '2:Succeeded',
      '3:Succeeded',
      '4:Succeeded',
      '5:Succeeded',
      '6:Succeeded',
      '7:Succeeded',
    ]);
    for (const step of state!.steps) expect(Date.parse(step.endTime!)).toBeGreaterThanOrEqual(Date.parse(step.startTime!));
    expectTransferred(mq, src, dst);
    expect(losses).toEqual([]);
    expect(state!.saved).toMatchObject({
      sourceBrokers: [{ brokerName: src }],
      targetBrokers: [{ brokerName: dst }],
      groups: [GROUP],
      sourceTopic: { [src]: ORIGINAL_TOPIC },
      sourceGroups: { [src]: { [GROUP]: ORIGINAL_GROUP } },
      targetBefore: { [dst]: { topic: false, groups: [], retryTopics: [] } },
    });
    expect(state!.removals).toBeUndefined();
  });

  it('persists each step as Running before it changes anything', async () => {
    const { mq, run } = scenario(layout);
    const store = new MemoryTransferStore();
    const mutationsAtWrite: number[] = [];
    store.afterSave = () => void mutationsAtWrite.push(mq.mutations().length);
    await runTransfer(depsFor(mq, store), run);
    store.history.forEach((state, i) => {
      const running = state.steps.find((s) => s.phase === 'Running');
      // The next change to RocketMQ happens only after the step's start is written.
      if (running && i > 0 && store.history[i - 1].steps[running.step - 1]?.phase !== 'Running') {
        expect(mutationsAtWrite[i]).toBe(mutationsAtWrite[i - 1]);
      }
    });
    expect(store.history[0]).toMatchObject({ phase: 'Running', step: 0, steps: [] });
  });

  it('resumes and completes after being killed right after any write of its record', async () => {
    const { writes } = await undisturbedCounts(layout);
    for (let killAt = 1; killAt <= writes; killAt++) {
      const { mq, src, dst, run, store, losses } = await killedAfterWrite(layout, killAt);
      const state = await runTransfer(depsFor(mq, store), run);
      expect({ killAt, phase: state?.phase }).toEqual({ killAt, phase: 'Succeeded' });
      expectTransferred(mq, src, dst);
      expect(losses).toEqual([]);
    }
  });

  it('resumes and completes after being killed in the middle of a step, after any change to RocketMQ', async () => {
    const { mutations } = await undisturbedCounts(layout);
    for (let freezeAt = 0; freezeAt < mutations; freezeAt++) {
      const { mq, src, dst, run } = scenario(layout);
      const losses = watchForLoss(mq);
      const store = new MemoryTransferStore();
      mq.freezeAfterMutations = freezeAt;
      // The killed runner's call never returns; it is left behind as a dead process would be.
      void runTransfer(depsFor(mq, store), run);
      await until(() => mq.frozenCalls > 0);
      mq.freezeAfterMutations = undefined;
      const state = await runTransfer(depsFor(mq, store), run);
      expect({ freezeAt, phase: state?.phase }).toEqual({ freezeAt, phase: 'Succeeded' });
      expectTransferred(mq, src, dst);
      expect(losses).toEqual([]);
    }
  });

  it.each([
    [1, (c: FakeCall, dst: string) => c.op === 'putSubscriptionGroup' && c.address!.startsWith(dst)],
    [2, (c: FakeCall, dst: string) => c.op === 'putTopic' && c.topic === TOPIC && c.address!.startsWith(dst)],
    [3, (c: FakeCall, _dst: string, src: string) => c.op === 'putTopic' && c.topic === TOPIC && c.address!.startsWith(src)],
    [5, (c: FakeCall, _dst: string, src: string) => c.op === 'deleteTopicInBroker' && c.address!.startsWith(src)],
    [6, (c: FakeCall, _dst: string, src: string) => c.op === 'deleteSubscriptionGroup' && c.address!.startsWith(src)],
    [7, (c: FakeCall, dst: string) => c.op === 'putTopic' && c.topic === `%RETRY%${GROUP}` && c.address!.startsWith(dst)],
  ])('rolls back to the exact original when step %i keeps failing', async (step, failing) => {
    const { mq, src, dst, run } = scenario(layout);
    const losses = watchForLoss(mq);
    const store = new MemoryTransferStore();
    // The fault lasts while the transfer runs; the rollback needs the same brokers to work again.
    mq.failWhen = (call) => (store.state?.phase === 'Running' && failing(call, dst, src) ? new Error('refused by the test') : undefined);
    const state = await runTransfer(depsFor(mq, store), run);
    expect(state).toMatchObject({ phase: 'RolledBack', step, rollback: { fromStep: step } });
    expect(state!.message).toMatch(new RegExp(`^rolled back: step ${step} \\(.*\\) failed: .*refused by the test`));
    expect(state!.steps[step - 1]).toMatchObject({ phase: 'Failed', message: expect.stringMatching(/refused by the test/) });
    expect(state!.steps.slice(0, step - 1).every((s) => s.phase === 'RolledBack')).toBe(true);
    expectRestored(mq, src, dst);
    expect(losses).toEqual([]);
  });

  it('rolls back exactly from wherever the transfer was killed', async () => {
    const { writes } = await undisturbedCounts(layout);
    for (let killAt = 1; killAt <= writes; killAt++) {
      const { mq, src, dst, run, store, losses } = await killedAfterWrite(layout, killAt);
      const state = await runTransfer(depsFor(mq, store), { ...run, task: 'rollback' });
      if (state!.phase === 'Succeeded') {
        expectTransferred(mq, src, dst);
      } else if (state!.steps.length === 0) {
        expect({ killAt, mutations: mq.mutations() }).toEqual({ killAt, mutations: [] });
      } else {
        expect({ killAt, phase: state!.phase }).toEqual({ killAt, phase: 'RolledBack' });
        expectRestored(mq, src, dst);
      }
      expect(losses).toEqual([]);
    }
  });

  it('resumes a rollback killed in the middle, after any change to RocketMQ', async () => {
    const killedAfterStep6 = async () => {
      const world = scenario(layout);
      const store = new MemoryTransferStore();
      store.afterSave = (state) => {
        if (state.steps[6]?.phase === 'Running') throw new Killed();
      };
      await expect(runTransfer(depsFor(world.mq, store), world.run)).rejects.toBeInstanceOf(StoreFailure);
      store.afterSave = undefined;
      return { ...world, store, before: world.mq.mutations().length };
    };
    const probe = await killedAfterStep6();
    await runTransfer(depsFor(probe.mq, probe.store), { ...probe.run, task: 'rollback' });
    const rollbackMutations = probe.mq.mutations().length - probe.before;
    for (let freezeAt = 0; freezeAt < rollbackMutations; freezeAt++) {
      const { mq, src, dst, run, store } = await killedAfterStep6();
      mq.freezeAfterMutations = freezeAt;
      void runTransfer(depsFor(mq, store), { ...run, task: 'rollback' });
      await until(() => mq.frozenCalls > 0);
      mq.freezeAfterMutations = undefined;
      const state = await runTransfer(depsFor(mq, store), { ...run, task: 'rollback' });
      expect({ freezeAt, phase: state?.phase }).toEqual({ freezeAt, phase: 'RolledBack' });
      expectRestored(mq, src, dst);
    }
  });

  it('resumes a rollback killed right after any write, and ends with the original restored', async () => {
    const failing = (c: FakeCall) => c.op === 'putTopic' && c.topic === `%RETRY%${GROUP}`;
    const probe = scenario(layout);
    probe.mq.failWhen = (c) => (failing(c) ? new Error('refused') : undefined);
    const probeStore = new MemoryTransferStore();
    await runTransfer(depsFor(probe.mq, probeStore), probe.run);
    const firstRollbackWrite = probeStore.history.findIndex((s) => s.phase === 'RollingBack') + 1;
    for (let killAt = firstRollbackWrite; killAt < probeStore.history.length; killAt++) {
      const { mq, src, dst, run } = scenario(layout);
      mq.failWhen = (c) => (failing(c) ? new Error('refused') : undefined);
      const store = new MemoryTransferStore();
      store.afterSave = (_s, count) => {
        if (count === killAt) throw new Killed();
      };
      await expect(runTransfer(depsFor(mq, store), run)).rejects.toBeInstanceOf(StoreFailure);
      store.afterSave = undefined;
      const state = await runTransfer(depsFor(mq, store), run);
      expect({ killAt, phase: state?.phase }).toEqual({ killAt, phase: 'RolledBack' });
      expectRestored(mq, src, dst);
    }
  });
});

describe('a topic transfer that cannot start', () => {
  it.each([
    [
      'an unknown source',
      { source: 'cluster-x' },
      /source "cluster-x" is neither a broker cluster nor a broker .*clusters: cluster-a, cluster-b; brokers: broker-a, broker-b/,
    ],
    ['an unknown target', { target: 'broker-z' }, /target "broker-z" is neither a broker cluster nor a broker/],
    ['a target that overlaps the source', { target: 'broker-a' }, /share broker broker-a/],
    [
      'a topic missing on the source',
      { topic: 'nothing-here' },
      /topic nothing-here does not exist on source "cluster-a" \(brokers broker-a\)/,
    ],
  ])('fails with %s, changing nothing', async (_name, change, message) => {
    const { mq, run } = scenario('two clusters');
    const store = new MemoryTransferStore();
    const state = await runTransfer(depsFor(mq, store), { ...run, ...change });
    expect(state).toMatchObject({ phase: 'Failed', step: 0, steps: [] });
    expect(state!.message).toMatch(message);
    expect(mq.mutations()).toEqual([]);
  });

  it('fails when no consumer group consumes the topic, since nobody could tell when the source is drained', async () => {
    const { mq, run } = scenario('two clusters');
    mq.stopConsumer(GROUP);
    mq.broker('broker-a').offsets.clear();
    const state = await runTransfer(depsFor(mq, new MemoryTransferStore()), run);
    expect(state).toMatchObject({
      phase: 'Failed',
      message: expect.stringMatching(/no consumer group consumes topic orders on source "cluster-a"/),
    });
    expect(mq.mutations()).toEqual([]);
  });

  it('fails naming the broker when the target is unreachable, and starts afresh once it is back', async () => {
    const { mq, src, dst, run } = scenario('two clusters');
    mq.broker(dst).reachable = false;
    const store = new MemoryTransferStore();
    const failed = await runTransfer(depsFor(mq, store), run);
    expect(failed).toMatchObject({
      phase: 'Failed',
      message: expect.stringMatching(/on broker broker-b failed: unreachable \(connection to broker-b.test:10911 failed: ECONNREFUSED\)/),
    });
    expect(mq.mutations()).toEqual([]);
    mq.broker(dst).reachable = true;
    expect(await runTransfer(depsFor(mq, store), run)).toMatchObject({ phase: 'Succeeded' });
    expectTransferred(mq, src, dst);
  });

  it('does not start on a target whose topic already exists without write permission', async () => {
    const { mq, run } = scenario('two clusters');
    mq.createTopic('broker-b', topicConfig(TOPIC, { perm: 4 }));
    const state = await runTransfer(depsFor(mq, new MemoryTransferStore()), run);
    expect(state).toMatchObject({
      phase: 'Failed',
      message: expect.stringMatching(/already exists on target broker broker-b without write permission/),
    });
  });
});

describe('a topic transfer under faults', () => {
  it('lets only the first of two runners that loaded the same record act', async () => {
    const { mq, src, dst, run } = scenario('two clusters');
    const store = new MemoryTransferStore();
    const time = new FakeClock();
    const [first, second] = await Promise.allSettled([
      runTransfer(depsFor(mq, store, time), run),
      runTransfer(depsFor(mq, store, time), run),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { phase: 'Succeeded' } });
    expect(second).toMatchObject({ status: 'rejected', reason: expect.any(ConflictError) });
    expectTransferred(mq, src, dst);
    expect(mq.mutations().length).toBe((await undisturbedCounts('two clusters')).mutations);
  });

  it('rolls back when the source is not consumed in time, keeping on the target what its consumers have not read', async () => {
    const { mq, src, dst, run } = scenario('two clusters');
    const losses = watchForLoss(mq);
    mq.stopConsumer(GROUP);
    mq.produce(src, TOPIC, 50);
    // Producers reach the target once it has the topic.
    let moved = false;
    mq.beforeCall = (call) => {
      if (!moved && call.op === 'putTopic' && call.topic === TOPIC && call.address!.startsWith('broker-a')) mq.produce(dst, TOPIC, 7);
      moved ||= call.op === 'putTopic' && call.topic === TOPIC && call.address!.startsWith('broker-a');
    };
    const store = new MemoryTransferStore();
    const state = await runTransfer(depsFor(mq, store), { ...run, consumeTimeoutSeconds: 30 });
    expect(state).toMatchObject({ phase: 'RolledBack', step: 4 });
    expect(state!.message).toMatch(
      /rolled back: step 4 .* failed: the consumers did not consume orders on the source within 30 s \(billing on broker-a: 50 unconsumed\)/,
    );
    expect(state!.message).toMatch(/left on the target: topic orders on broker-b, read-only/);
    expect(state!.rollback!.kept[0]).toMatch(/billing on broker-b: 7 unconsumed/);
    const step4 = state!.steps[3];
    expect(Date.parse(step4.endTime!) - Date.parse(step4.startTime!)).toBeGreaterThanOrEqual(30_000);
    expect(mq.broker(src).topics.get(TOPIC)).toEqual(ORIGINAL_TOPIC);
    expect(mq.broker(src).groups.get(GROUP)).toEqual(ORIGINAL_GROUP);
    expect(mq.broker(dst).topics.get(TOPIC)).toMatchObject({ perm: 4 });
    expect(mq.broker(dst).groups.has(GROUP)).toBe(true);
    expect(mq.unconsumed(dst, GROUP, TOPIC)).toBe(7);
    expect(losses).toEqual([]);
  });

  it('counts the consume deadline from the recorded start of step 4, not from a resumed run', async () => {
    const { mq, src, run } = scenario('two clusters');
    mq.stopConsumer(GROUP);
    mq.produce(src, TOPIC, 5);
    const store = new MemoryTransferStore();
    store.afterSave = (state) => {
      if (state.steps[3]?.phase === 'Running') throw new Killed();
    };
    const time = new FakeClock();
    await expect(runTransfer(depsFor(mq, store, time), { ...run, consumeTimeoutSeconds: 600 })).rejects.toBeInstanceOf(StoreFailure);
    store.afterSave = undefined;
    time.advance(601_000);
    const resumedAt = time.clock().getTime();
    const state = await runTransfer(depsFor(mq, store, time), { ...run, consumeTimeoutSeconds: 600 });
    expect(state).toMatchObject({ phase: 'RolledBack', step: 4 });
    expect(Date.parse(state!.steps[3].endTime!) - resumedAt).toBeLessThan(1000);
  });

  it('does not delete the source when messages appear there after the wait, and rolls back without losing them', async () => {
    const { mq, src, dst, run } = scenario('two clusters');
    const losses = watchForLoss(mq);
    const store = new MemoryTransferStore();
    store.afterSave = (state) => {
      if (state.steps[4]?.phase === 'Running') throw new Killed();
    };
    await expect(runTransfer(depsFor(mq, store), run)).rejects.toBeInstanceOf(StoreFailure);
    store.afterSave = undefined;
    // Someone makes the source writable again and messages arrive that nobody consumes.
    mq.stopConsumer(GROUP);
    mq.createTopic(src, ORIGINAL_TOPIC);
    mq.produce(src, TOPIC, 3);
    const state = await runTransfer(depsFor(mq, store), run);
    expect(state).toMatchObject({ phase: 'RolledBack', step: 5 });
    expect(state!.steps[4].message).toMatch(/takes writes for orders again; not deleting it/);
    expect(mq.calls.some((c) => c.op === 'deleteTopicInBroker' && c.address!.startsWith(src) && c.topic === TOPIC)).toBe(false);
    expect(mq.unconsumed(src, GROUP, TOPIC)).toBe(3);
    expect(losses).toEqual([]);
    expect(mq.broker(dst).topics.has(TOPIC)).toBe(false);
  });

  it('completes when a group is deleted on the source under it, giving the target the saved settings', async () => {
    const { mq, src, dst, run } = scenario('two clusters');
    const store = new MemoryTransferStore();
    store.afterSave = (state) => {
      if (state.steps.length === 0) mq.broker(src).groups.delete(GROUP);
    };
    expect(await runTransfer(depsFor(mq, store), run)).toMatchObject({ phase: 'Succeeded' });
    expectTransferred(mq, src, dst);
  });

  it('puts back a target group deleted under it before it deletes the source', async () => {
    const { mq, src, dst, run } = scenario('two clusters');
    const store = new MemoryTransferStore();
    store.afterSave = (state) => {
      if (state.steps[1]?.phase === 'Succeeded' && !state.steps[2]) mq.broker(dst).groups.delete(GROUP);
    };
    expect(await runTransfer(depsFor(mq, store), run)).toMatchObject({ phase: 'Succeeded' });
    expectTransferred(mq, src, dst);
  });

  it('keeps a source group that still consumes other topics there', async () => {
    const { mq, src, dst, run } = scenario('two clusters');
    mq.createTopic(src, topicConfig('payments'));
    mq.commit(src, GROUP, 'payments', [0, 0, 0, 0]);
    mq.startConsumer(GROUP, 'payments');
    const state = await runTransfer(depsFor(mq, new MemoryTransferStore()), run);
    expect(state!.steps[5].message).toMatch(/kept billing on broker-a \(it also consumes payments\)/);
    expect(mq.broker(src).groups.get(GROUP)).toEqual(ORIGINAL_GROUP);
    expect(mq.broker(dst).topics.get(TOPIC)).toEqual(ORIGINAL_TOPIC);
  });

  it('leaves a target topic and group that existed before alone, in the transfer and in a rollback', async () => {
    const { mq, src, dst, run } = scenario('two clusters');
    const theirs = topicConfig(TOPIC, { readQueueNums: 2, writeQueueNums: 2 });
    const theirGroup = groupConfig(GROUP, { retryMaxTimes: 9 });
    mq.createTopic(dst, theirs);
    mq.createGroup(dst, theirGroup);
    mq.failWhen = (c) => (c.op === 'putTopic' && c.topic === `%RETRY%${GROUP}` ? new Error('refused') : undefined);
    const state = await runTransfer(depsFor(mq, new MemoryTransferStore()), run);
    expect(state).toMatchObject({ phase: 'RolledBack', saved: { targetBefore: { [dst]: { topic: true, groups: [GROUP] } } } });
    expect(mq.broker(dst).topics.get(TOPIC)).toEqual(theirs);
    expect(mq.broker(dst).groups.get(GROUP)).toEqual(theirGroup);
    expect(mq.broker(src).topics.get(TOPIC)).toEqual(ORIGINAL_TOPIC);
    expect(mq.routedBrokers(TOPIC)).toEqual([src, dst]);
  });

  it('ends Failed saying what is undone when the rollback cannot finish, and a later run finishes it', async () => {
    const { mq, src, dst, run } = scenario('two clusters');
    mq.failWhen = (c) => {
      if (c.op === 'deleteTopicInBroker' && c.address!.startsWith(src)) return new Error('refused');
      if (c.op === 'deleteSubscriptionGroup' && c.address!.startsWith(dst))
        return new RemotingConnectionError('connection to broker-b.test:10911 failed: ECONNRESET', c.address!);
      return undefined;
    };
    const store = new MemoryTransferStore();
    const failed = await runTransfer(depsFor(mq, store), run);
    expect(failed).toMatchObject({
      phase: 'Failed',
      step: 5,
      rollback: { fromStep: 5, error: expect.stringMatching(/deleting group billing on broker broker-b failed: unreachable/) },
    });
    expect(failed!.message).toMatch(
      /the rollback could not finish .*; undone so far: restored topic orders on broker-a .*removed topic orders from broker-b.*; a later rollback run retries the rest/,
    );
    mq.failWhen = undefined;
    const finished = await runTransfer(depsFor(mq, store), { ...run, task: 'rollback' });
    expect(finished).toMatchObject({ phase: 'RolledBack', rollback: { reason: expect.stringMatching(/step 5/) } });
    expect(finished!.rollback!.undone.at(-1)).toBe('deleted group billing from broker-b');
    expectRestored(mq, src, dst);
  });
});

describe('a rollback run', () => {
  it('undoes a transfer stopped part-way, as when its TopicTransfer is deleted', async () => {
    const { mq, src, dst, run } = scenario('one shared cluster');
    const losses = watchForLoss(mq);
    const store = new MemoryTransferStore();
    store.afterSave = (state) => {
      if (state.steps[5]?.phase === 'Running') throw new Killed();
    };
    await expect(runTransfer(depsFor(mq, store), run)).rejects.toBeInstanceOf(StoreFailure);
    store.afterSave = undefined;
    const state = await runTransfer(depsFor(mq, store), { ...run, task: 'rollback' });
    expect(state).toMatchObject({
      phase: 'RolledBack',
      message: 'rolled back: the TopicTransfer was deleted before the transfer finished',
      rollback: { fromStep: 6 },
    });
    expect(phasesOf(state)).toEqual(['1:RolledBack', '2:RolledBack', '3:RolledBack', '4:RolledBack', '5:RolledBack', '6:RolledBack']);
    expect(state!.rollback!.undone).toEqual([
      're-created topic orders on broker-0 (perm 6, 6/5 queues)',
      'removed topic orders from broker-1',
      'deleted group billing from broker-1',
    ]);
    expectRestored(mq, src, dst);
    expect(losses).toEqual([]);
  });

  it('creates a topic deleted on the source again only once consumers had time to drop its old queues', async () => {
    const { mq, src, run } = scenario('two clusters');
    const time = new FakeClock();
    const store = new MemoryTransferStore();
    store.afterSave = (state) => {
      if (state.steps[5]?.phase === 'Running') throw new Killed();
    };
    await expect(runTransfer(depsFor(mq, store, time), run)).rejects.toBeInstanceOf(StoreFailure);
    store.afterSave = undefined;
    let recreatedAt = 0;
    mq.beforeCall = (call) => {
      if (call.op === 'putTopic' && call.topic === TOPIC && call.address!.startsWith(src) && !mq.broker(src).topics.has(TOPIC))
        recreatedAt = time.clock().getTime();
    };
    const state = await runTransfer(depsFor(mq, store, time), { ...run, task: 'rollback' });
    expect(state!.phase).toBe('RolledBack');
    expect(recreatedAt).toBeGreaterThanOrEqual(Date.parse(state!.steps[4].endTime!) + depsFor(mq, store).timing!.clientRefreshMs!);
  });

  it.each<[string, (store: MemoryTransferStore, mq: ReturnType<typeof scenario>) => Promise<void>]>([
    ['a finished transfer', async (store, { mq, run }) => void (await runTransfer(depsFor(mq, store), run))],
    ['a transfer that never started', async () => undefined],
    [
      'a transfer that could not start',
      async (store, { mq, run }) => void (await runTransfer(depsFor(mq, store), { ...run, topic: 'missing' })),
    ],
  ])('does nothing on %s', async (_name, before) => {
    const world = scenario('two clusters');
    const store = new MemoryTransferStore();
    await before(store, world);
    const writes = store.history.length;
    const calls = world.mq.calls.length;
    const state = await runTransfer(depsFor(world.mq, store), { ...world.run, task: 'rollback' });
    expect(state?.phase).not.toBe('RollingBack');
    expect(store.history.length).toBe(writes);
    expect(world.mq.calls.length).toBe(calls);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition never held');
}
