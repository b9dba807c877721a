// Whether every consumer group has consumed a topic on some brokers: per broker and group, the sum
// over the topic's queues of brokerOffset − consumerOffset (remoting §2.9).
import type { TransferAdmin } from './admin.js';
import { onBroker, type LiveBroker } from './brokers.js';

export interface Backlog {
  drained: boolean;
  /** Unconsumed messages counted (progress that could not be read is not in it). */
  total: number;
  /** One entry per group and broker that is not drained, for people. */
  details: string[];
}

/**
 * `groups` plus whoever consumes the topic on each broker now: a group that started consuming after
 * the transfer was planned must not lose messages either. A broker without the topic holds none.
 */
export async function backlog(admin: TransferAdmin, topic: string, brokers: LiveBroker[], groups: string[]): Promise<Backlog> {
  let total = 0;
  let unknown = false;
  const details: string[] = [];
  for (const broker of brokers) {
    const config = await onBroker(broker, `reading topic ${topic}`, (a) => admin.topicConfig(a, topic));
    if (!config) continue;
    const consumers = await onBroker(broker, `listing the consumers of ${topic}`, (a) => admin.topicConsumers(a, topic));
    for (const group of new Set([...groups, ...consumers])) {
      const stats = await onBroker(broker, `reading the progress of ${group}`, (a) => admin.consumeStats(a, group, topic));
      const queues = stats.queues.filter((q) => q.topic === topic);
      if (queues.length === 0 && config.readQueueNums > 0) {
        // The broker leaves out topics the group's online consumers do not subscribe to.
        unknown = true;
        details.push(`${group} on ${broker.brokerName}: no progress reported (its consumers do not subscribe to ${topic})`);
        continue;
      }
      const lag = queues.reduce((sum, q) => sum + Math.max(0, q.lag), 0);
      if (lag > 0) details.push(`${group} on ${broker.brokerName}: ${lag} unconsumed`);
      total += lag;
    }
  }
  return { drained: total === 0 && !unknown, total, details };
}

export interface WaitContext {
  admin: TransferAdmin;
  topic: string;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  timing: { pollIntervalMs: number; progressEveryMs: number };
  note(message: string): Promise<void>;
}

/**
 * Polls until the topic is drained on `brokers` and `writesStoppedAt` has passed, or it is not
 * drained at `deadline` (ms since the epoch, from persisted times, so a resumed run keeps the clock).
 * Unreadable progress counts as not drained. Returns the last backlog seen.
 */
export async function waitUntilConsumed(
  ctx: WaitContext,
  brokers: LiveBroker[],
  groups: string[],
  { deadline, writesStoppedAt }: { deadline: number; writesStoppedAt: number },
): Promise<Backlog> {
  let lastNote = -Infinity;
  for (;;) {
    let left: Backlog;
    try {
      left = await backlog(ctx.admin, ctx.topic, brokers, groups);
    } catch (error) {
      left = { drained: false, total: 0, details: [`progress unreadable: ${(error as Error).message}`] };
    }
    const now = ctx.clock().getTime();
    if (left.drained ? now >= writesStoppedAt : now >= deadline) return left;
    if (now - lastNote >= ctx.timing.progressEveryMs) {
      const news = left.drained ? 'consumed; waiting until producers have refreshed their routes' : left.details.join('; ');
      await ctx.note(`waiting until ${ctx.topic} is consumed on ${brokers.map((b) => b.brokerName).join(', ')}: ${news}`);
      lastNote = now;
    }
    await ctx.sleep(Math.max(1, Math.min(ctx.timing.pollIntervalMs, (left.drained ? writesStoppedAt : deadline) - now)));
  }
}
