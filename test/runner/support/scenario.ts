// A transfer against the in-memory RocketMQ: two layouts, a fake clock, and checks shared by tests.
import type { TransferDeps, TransferRun } from '../../../hooks/runner/transfer/machine.js';
import { FakeRocketMQ, groupConfig, topicConfig } from './fake-rocketmq.js';
import type { MemoryTransferStore } from './memory-store.js';

export type Layout = 'two clusters' | 'one shared cluster';

export const TOPIC = 'orders';
export const GROUP = 'billing';

/** The topic's original config: everything differs from the defaults, so a lossy rollback shows. */
export const ORIGINAL_TOPIC = topicConfig(TOPIC, {
  readQueueNums: 6,
  writeQueueNums: 5,
  order: true,
  topicFilterType: 'MULTI_TAG',
  attributes: { 'message.type': 'FIFO' },
});
export const ORIGINAL_GROUP = groupConfig(GROUP, {
  consumeBroadcastEnable: false,
  retryMaxTimes: 3,
  retryQueueNums: 2,
  consumeTimeoutMinute: 5,
});
export const ORIGINAL_RETRY = topicConfig(`%RETRY%${GROUP}`, { readQueueNums: 2, writeQueueNums: 2 });

/** Source broker `src` and target broker `dst`, in two clusters or in one. */
export function scenario(layout: Layout): { mq: FakeRocketMQ; src: string; dst: string; run: TransferRun } {
  const mq = new FakeRocketMQ();
  const shared = layout === 'one shared cluster';
  const src = shared ? 'broker-0' : 'broker-a';
  const dst = shared ? 'broker-1' : 'broker-b';
  mq.addBroker(shared ? 'broker' : 'cluster-a', src);
  mq.addBroker(shared ? 'broker' : 'cluster-b', dst);
  mq.createTopic(src, ORIGINAL_TOPIC);
  mq.createTopic(src, ORIGINAL_RETRY);
  mq.createGroup(src, ORIGINAL_GROUP);
  mq.produce(src, TOPIC, 50);
  mq.startConsumer(GROUP, TOPIC);
  const run: TransferRun = {
    task: 'transfer',
    topic: TOPIC,
    source: shared ? src : 'cluster-a',
    target: shared ? dst : 'cluster-b',
    consumeTimeoutSeconds: 60,
  };
  return { mq, src, dst, run };
}

export class FakeClock {
  private ms = Date.parse('2026-03-01T10:00:00Z');
  readonly clock = () => new Date(this.ms);
  readonly sleep = async (ms: number) => {
    this.ms += ms;
    await Promise.resolve();
  };
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function depsFor(mq: FakeRocketMQ, store: MemoryTransferStore, time = new FakeClock()): TransferDeps {
  return {
    admin: mq,
    store,
    clock: time.clock,
    sleep: time.sleep,
    timing: { pollIntervalMs: 1000, clientRefreshMs: 5000, attempts: 3, retryDelayMs: 500, progressEveryMs: 10_000 },
  };
}

/** Records any topic deletion on a broker where some group has not consumed it. */
export function watchForLoss(mq: FakeRocketMQ): string[] {
  const losses: string[] = [];
  const previous = mq.beforeCall;
  mq.beforeCall = (call) => {
    previous?.(call);
    if (call.op !== 'deleteTopicInBroker') return;
    const broker = mq.brokers.find((b) => b.address === call.address)!;
    for (const group of new Set([GROUP, ...broker.offsets.keys()])) {
      const left = mq.unconsumed(broker.brokerName, group, call.topic!);
      if (left > 0) losses.push(`${call.topic} deleted on ${broker.brokerName} with ${left} unconsumed by ${group}`);
    }
  };
  return losses;
}

/** The end state of a transfer that succeeded. */
export function expectTransferred(mq: FakeRocketMQ, src: string, dst: string): void {
  expect(mq.broker(dst).topics.get(TOPIC)).toEqual(ORIGINAL_TOPIC);
  expect(mq.broker(dst).groups.get(GROUP)).toEqual(ORIGINAL_GROUP);
  expect(mq.broker(dst).topics.get(`%RETRY%${GROUP}`)).toEqual(ORIGINAL_RETRY);
  expect(mq.broker(src).topics.has(TOPIC)).toBe(false);
  expect(mq.broker(src).groups.has(GROUP)).toBe(false);
  expect(mq.routedBrokers(TOPIC)).toEqual([dst]);
  expect(mq.routes.get(TOPIC)!.get(dst)).toMatchObject({ perm: ORIGINAL_TOPIC.perm, readQueueNums: 6, writeQueueNums: 5 });
}

/** The end state of a rollback whose target could be cleaned: the source exactly as before. */
export function expectRestored(mq: FakeRocketMQ, src: string, dst: string): void {
  expect(mq.broker(src).topics.get(TOPIC)).toEqual(ORIGINAL_TOPIC);
  expect(mq.broker(src).groups.get(GROUP)).toEqual(ORIGINAL_GROUP);
  expect(mq.broker(src).topics.get(`%RETRY%${GROUP}`)).toEqual(ORIGINAL_RETRY);
  expect(mq.broker(dst).topics.has(TOPIC)).toBe(false);
  expect(mq.broker(dst).groups.has(GROUP)).toBe(false);
  expect(mq.broker(dst).topics.has(`%RETRY%${GROUP}`)).toBe(false);
  expect(mq.routedBrokers(TOPIC)).toEqual([src]);
  expect(mq.routes.get(TOPIC)!.get(src)).toMatchObject({ perm: ORIGINAL_TOPIC.perm });
  expect(mq.routedBrokers(`%RETRY%${GROUP}`)).toEqual([src]);
}
