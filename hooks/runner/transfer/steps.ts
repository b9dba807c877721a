// What each of the seven steps does (joined to the steps by id in step-actions.ts). Each may run
// again after a crash, so each one looks before it changes anything and the destructive ones check
// their preconditions again on every run.
import { Perm } from '../../rocketmq/codes.js';
import { topicConfigsEqual } from '../../rocketmq/topic-config.js';
import { stepRecord } from '../../topictransfer/steps.js';
import { backlog, waitUntilConsumed } from './backlog.js';
import { onBroker, type LiveBroker } from './brokers.js';
import { groupTemplate, retryTopicTemplate, topicTemplate, type RunContext } from './context.js';
import { retryTopicOf } from './plan.js';
import { removeTopic } from './route.js';

/** The source was not consumed in time: roll back at once, trying again would not help. */
export class DeadlineExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineExceeded';
  }
}

const names = (brokers: LiveBroker[]) => brokers.map((b) => b.brokerName).join(', ');
const list = (items: string[], none = 'none') => (items.length > 0 ? items.join(', ') : none);

/**
 * Puts the source's settings of each group on each target broker where the group did not exist
 * before; with `onlyMissing`, puts back any group that is missing there (deleted under the transfer).
 */
export async function createGroupsOnTarget(ctx: RunContext, onlyMissing = false): Promise<string> {
  const created: string[] = [];
  const unset = new Set<string>();
  for (const broker of ctx.target) {
    for (const group of ctx.saved.groups) {
      if (!onlyMissing && ctx.saved.targetBefore[broker.brokerName]?.groups.includes(group)) continue;
      const config = groupTemplate(ctx.saved, group);
      if (!config) {
        unset.add(group);
        continue;
      }
      if (onlyMissing && (await onBroker(broker, `reading group ${group}`, (a) => ctx.admin.subscriptionGroup(a, group)))) continue;
      await onBroker(broker, `creating group ${group}`, (a) => ctx.admin.putSubscriptionGroup(a, config));
      created.push(`${group} on ${broker.brokerName}`);
    }
  }
  const note =
    unset.size > 0 ? `; ${[...unset].join(', ')} had no settings on the source, so brokers create them as consumers connect` : '';
  return `created ${list(created)}${note}`;
}

export async function createTopicOnTarget(ctx: RunContext): Promise<string> {
  const template = topicTemplate(ctx.saved);
  const existing: string[] = [];
  for (const broker of ctx.target) {
    const current = await onBroker(broker, `reading topic ${ctx.topic}`, (a) => ctx.admin.topicConfig(a, ctx.topic));
    if (current && ctx.saved.targetBefore[broker.brokerName]?.topic) {
      existing.push(broker.brokerName);
      continue;
    }
    if (current && topicConfigsEqual(current, template)) continue;
    await onBroker(broker, `creating topic ${ctx.topic}`, (a) => ctx.admin.putTopic(a, template, current));
  }
  const note = existing.length > 0 ? ` (already there on ${existing.join(', ')}, left as it was)` : '';
  return `${ctx.topic} exists on ${names(ctx.target)} with ${template.readQueueNums}/${template.writeQueueNums} queues, perm ${template.perm}${note}`;
}

export async function stopWritesOnSource(ctx: RunContext): Promise<string> {
  for (const broker of ctx.source) {
    const current = await onBroker(broker, `reading topic ${ctx.topic}`, (a) => ctx.admin.topicConfig(a, ctx.topic));
    if (!current) throw new Error(`topic ${ctx.topic} is gone from source broker ${broker.brokerName}`);
    const original = ctx.saved.sourceTopic[broker.brokerName];
    const readOnly = { ...original, perm: original.perm & ~Perm.WRITE };
    if (!topicConfigsEqual(current, readOnly))
      await onBroker(broker, `making ${ctx.topic} read-only`, (a) => ctx.admin.putTopic(a, readOnly, current));
  }
  return `${ctx.topic} is read-only on ${names(ctx.source)}; producers move to the target as they refresh their routes`;
}

export async function awaitSourceConsumed(ctx: RunContext): Promise<string> {
  const left = await waitUntilConsumed(ctx, ctx.source, ctx.saved.groups, {
    // A resumed wait keeps its first start.
    deadline: Date.parse(stepRecord(ctx.steps, 'wait-consumed')!.startTime!) + ctx.consumeTimeoutMs,
    writesStoppedAt: Date.parse(stepRecord(ctx.steps, 'stop-writes')!.endTime!) + ctx.timing.clientRefreshMs,
  });
  if (!left.drained) {
    throw new DeadlineExceeded(
      `the consumers did not consume ${ctx.topic} on the source within ${ctx.consumeTimeoutMs / 1000} s (${left.details.join('; ')})`,
    );
  }
  return `every group consumed ${ctx.topic} on ${names(ctx.source)}`;
}

export async function deleteTopicOnSource(ctx: RunContext): Promise<string> {
  for (const broker of ctx.target) {
    const config = await onBroker(broker, `reading topic ${ctx.topic}`, (a) => ctx.admin.topicConfig(a, ctx.topic));
    if (!config || (config.perm & Perm.WRITE) === 0)
      throw new Error(`target broker ${broker.brokerName} has no writable ${ctx.topic}; the source stays`);
  }
  await createGroupsOnTarget(ctx, true);
  for (const broker of ctx.source) {
    const config = await onBroker(broker, `reading topic ${ctx.topic}`, (a) => ctx.admin.topicConfig(a, ctx.topic));
    if (config && (config.perm & Perm.WRITE) !== 0)
      throw new Error(`source broker ${broker.brokerName} takes writes for ${ctx.topic} again; not deleting it`);
  }
  const left = await backlog(ctx.admin, ctx.topic, ctx.source, ctx.saved.groups);
  if (!left.drained) throw new Error(`not deleting ${ctx.topic} on the source, it has unconsumed messages: ${left.details.join('; ')}`);
  await removeTopic(ctx, ctx.topic, ctx.source);
  return `deleted ${ctx.topic} on ${names(ctx.source)} and their queue data on the name servers`;
}

/** A group whose offsets show it consumes other topics there stays: deleting it would break them. */
export async function deleteGroupsOnSource(ctx: RunContext): Promise<string> {
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const broker of ctx.source) {
    for (const group of ctx.saved.groups) {
      if (!(await onBroker(broker, `reading group ${group}`, (a) => ctx.admin.subscriptionGroup(a, group)))) continue;
      const stats = await onBroker(broker, `reading the progress of ${group}`, (a) => ctx.admin.consumeStats(a, group));
      const others = new Set(
        stats.queues.filter((q) => q.topic !== ctx.topic && (q.topic !== retryTopicOf(group) || q.lag > 0)).map((q) => q.topic),
      );
      if (others.size > 0) {
        kept.push(`${group} on ${broker.brokerName} (it also consumes ${[...others].sort().join(', ')})`);
        continue;
      }
      await onBroker(broker, `deleting group ${group}`, (a) => ctx.admin.deleteSubscriptionGroup(a, group));
      deleted.push(`${group} on ${broker.brokerName}`);
    }
  }
  return `deleted ${list(deleted)}${kept.length > 0 ? `; kept ${kept.join(', ')}` : ''}`;
}

export async function createRetryTopicsOnTarget(ctx: RunContext): Promise<string> {
  const created: string[] = [];
  for (const broker of ctx.target) {
    for (const group of ctx.saved.groups) {
      const retry = retryTopicTemplate(ctx.saved, group);
      if (await onBroker(broker, `reading topic ${retry.topicName}`, (a) => ctx.admin.topicConfig(a, retry.topicName))) continue;
      await onBroker(broker, `creating topic ${retry.topicName}`, (a) => ctx.admin.putTopic(a, retry));
      created.push(`${retry.topicName} on ${broker.brokerName}`);
    }
  }
  return `created ${list(created, 'nothing (all existed)')}`;
}
