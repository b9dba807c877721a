// What undoes the steps (joined to the steps by id in step-actions.ts). Every action compares with
// the saved original first, so a rollback that dies part-way is simply run again.
import { Perm } from '../../rocketmq/codes.js';
import { subscriptionGroupsEqual, topicConfigsEqual } from '../../rocketmq/topic-config.js';
import type { RollbackRecord } from '../../topictransfer/state.js';
import { stepRecord } from '../../topictransfer/steps.js';
import { waitUntilConsumed } from './backlog.js';
import { onBroker, type LiveBroker } from './brokers.js';
import type { RunContext } from './context.js';
import { retryTopicOf } from './plan.js';
import { removeTopic, removing, settleRoute } from './route.js';

export interface RollbackContext extends RunContext {
  /** Filled in as the rollback goes; `persist` writes it to the transfer record. */
  record: RollbackRecord;
  persist(): Promise<void>;
}

/** Each undo is recorded as it happens, so the record says what is left if the rollback stops. */
async function undid(ctx: RollbackContext, what: string): Promise<void> {
  ctx.record.undone.push(what);
  await ctx.persist();
}

export async function restoreSourceGroups(ctx: RollbackContext): Promise<void> {
  const { admin, source, saved } = ctx;
  for (const broker of source) {
    for (const [group, original] of Object.entries(saved.sourceGroups[broker.brokerName] ?? {})) {
      const current = await onBroker(broker, `reading group ${group}`, (a) => admin.subscriptionGroup(a, group));
      if (current && subscriptionGroupsEqual(current, original)) continue;
      await onBroker(broker, `restoring group ${group}`, (a) => admin.putSubscriptionGroup(a, original));
      await undid(ctx, `restored group ${group} on ${broker.brokerName}`);
    }
  }
}

/**
 * Creates the topic again where it was deleted on the source, and gives back writes and queue
 * counts. A deleted topic comes back only once consumers have dropped its queues: one still pulling
 * at its old offset would jump over the first messages of the new queue (offset past the end is
 * moved to the end).
 */
export async function restoreSourceTopic(ctx: RollbackContext): Promise<void> {
  const { admin, source, saved, topic } = ctx;
  for (const broker of source) {
    const original = saved.sourceTopic[broker.brokerName];
    const current = await onBroker(broker, `reading topic ${topic}`, (a) => admin.topicConfig(a, topic));
    if (current && topicConfigsEqual(current, original)) continue;
    if (!current) await untilClientsForgotDeletion(ctx);
    await onBroker(broker, `restoring topic ${topic}`, (a) => admin.putTopic(a, original, current));
    await undid(
      ctx,
      `${current ? 'restored' : 're-created'} topic ${topic} on ${broker.brokerName} (perm ${original.perm}, ${original.readQueueNums}/${original.writeQueueNums} queues)`,
    );
  }
}

async function untilClientsForgotDeletion(ctx: RollbackContext): Promise<void> {
  // The step deleted it by its end, or (interrupted) before the rollback began.
  const deletedBy = Date.parse(stepRecord(ctx.steps, 'delete-source-topic')?.endTime ?? ctx.record.startTime);
  const wait = deletedBy + ctx.timing.clientRefreshMs - ctx.clock().getTime();
  if (wait <= 0) return;
  await ctx.note(
    `waiting ${Math.ceil(wait / 1000)} s for consumers to drop the deleted ${ctx.topic} before creating it again on the source`,
  );
  await ctx.sleep(wait);
}

/**
 * A removal the transfer did not finish may have taken routes away from brokers that keep the topic
 * (or left one flipped): each broker holding the topic gets its route back, the source with its
 * original config, the others as they were when the removal started.
 */
export async function settleUnfinishedRemovals(ctx: RollbackContext): Promise<void> {
  for (const [topic, removal] of Object.entries(ctx.record.unfinishedRemovals ?? {})) {
    const keep = { ...removal.keep };
    for (const { brokerName } of removal.from) {
      const original = topic === ctx.topic ? ctx.saved.sourceTopic[brokerName] : undefined;
      if (original) keep[brokerName] = original;
    }
    await settleRoute(ctx, topic, [], keep);
    delete ctx.record.unfinishedRemovals![topic];
    if (Object.keys(ctx.record.unfinishedRemovals!).length === 0) delete ctx.record.unfinishedRemovals;
    await undid(ctx, `put back the route of ${topic} on ${Object.keys(keep).sort().join(', ')}`);
  }
}

/**
 * Removes from the target what did not exist there before the transfer. Messages produced to the
 * target's topic must be consumed first: the topic stops taking writes there, and if it is not
 * consumed within the deadline it stays, read-only, with its groups and retry topics.
 */
export async function removeFromTarget(ctx: RollbackContext): Promise<void> {
  const { admin, topic, saved, record } = ctx;
  const created: LiveBroker[] = [];
  for (const broker of ctx.target) {
    if (saved.targetBefore[broker.brokerName]?.topic) continue;
    const current = await onBroker(broker, `reading topic ${topic}`, (a) => admin.topicConfig(a, topic));
    if (current || removing(ctx.removals, topic).includes(broker.brokerName)) created.push(broker);
    if (!current) continue;
    const readOnly = { ...current, perm: current.perm & ~Perm.WRITE };
    if (!topicConfigsEqual(current, readOnly))
      await onBroker(broker, `making ${topic} read-only`, (a) => admin.putTopic(a, readOnly, current));
  }

  const keptOn = new Set<string>();
  if (created.length > 0) {
    if (!record.drainStartTime) {
      record.drainStartTime = ctx.clock().toISOString();
      await ctx.persist();
    }
    const start = Date.parse(record.drainStartTime);
    const left = await waitUntilConsumed(ctx, created, saved.groups, {
      deadline: start + ctx.consumeTimeoutMs,
      writesStoppedAt: start + ctx.timing.clientRefreshMs,
    });
    const where = created.map((b) => b.brokerName).join(', ');
    if (left.drained) {
      await removeTopic(ctx, topic, created);
      await undid(ctx, `removed topic ${topic} from ${where}`);
    } else {
      created.forEach((b) => keptOn.add(b.brokerName));
      record.kept.push(
        `topic ${topic} on ${where}, read-only, with its groups and retry topics: its messages there were not consumed within ${ctx.consumeTimeoutMs / 1000} s (${left.details.join('; ')})`,
      );
    }
  }

  for (const broker of ctx.target) {
    const before = saved.targetBefore[broker.brokerName];
    if (!before || keptOn.has(broker.brokerName)) continue;
    for (const group of saved.groups) {
      const retry = retryTopicOf(group);
      if (before.retryTopics.includes(retry)) continue;
      const exists = await onBroker(broker, `reading topic ${retry}`, (a) => admin.topicConfig(a, retry));
      if (!exists && !removing(ctx.removals, retry).includes(broker.brokerName)) continue;
      const stats = await onBroker(broker, `reading the progress of ${group}`, (a) => admin.consumeStats(a, group, retry));
      const lag = stats.queues.reduce((sum, q) => sum + Math.max(0, q.lag), 0);
      if (lag > 0) {
        record.kept.push(`topic ${retry} on ${broker.brokerName}: ${lag} retry messages unconsumed`);
        continue;
      }
      await removeTopic(ctx, retry, [broker]);
      await undid(ctx, `removed topic ${retry} from ${broker.brokerName}`);
    }
    for (const group of saved.groups) {
      if (before.groups.includes(group)) continue;
      if (!(await onBroker(broker, `reading group ${group}`, (a) => admin.subscriptionGroup(a, group)))) continue;
      await onBroker(broker, `deleting group ${group}`, (a) => admin.deleteSubscriptionGroup(a, group));
      await undid(ctx, `deleted group ${group} from ${broker.brokerName}`);
    }
  }
}
