// Removing a topic from some brokers without taking it away from the others (remoting §2.8).
import { Perm } from '../../rocketmq/codes.js';
import { topicConfigsEqual } from '../../rocketmq/topic-config.js';
import type { ClusterInfo, TopicConfig } from '../../rocketmq/types.js';
import type { TopicRemoval } from '../../topictransfer/state.js';
import type { TransferAdmin } from './admin.js';
import { locate, onBroker, type LiveBroker } from './brokers.js';

/** Removals in the transfer record: started before anything changes, dropped once done. */
export interface RemovalLog {
  pending(topic: string): TopicRemoval | undefined;
  start(topic: string, removal: TopicRemoval): Promise<void>;
  done(topic: string): Promise<void>;
}

export interface RemovalContext {
  admin: TransferAdmin;
  info: ClusterInfo;
  removals: RemovalLog;
  sleep: (ms: number) => Promise<void>;
}

const ROUNDS = 5;
const names = (list: { brokerName: string }[]) => list.map((b) => b.brokerName).join(', ') || 'none';

/** Brokers a started removal of the topic takes it from (to be finished even where it is gone). */
export function removing(removals: RemovalLog, topic: string): string[] {
  return removals.pending(topic)?.from.map((b) => b.brokerName) ?? [];
}

/**
 * Deletes `topic` on `brokers`, then their queue data on every name server. A name server drops
 * queue data per cluster only, so the other brokers of those clusters that hold the topic lose
 * their route too and are made to register it again at once. A 5.x broker does not re-register an
 * update that changes nothing, so each such config is put with the inherit bit flipped and then
 * put back, from the config saved before the removal started (a resumed run restores it exactly).
 * A started removal is finished with the brokers it started with.
 */
export async function removeTopic(ctx: RemovalContext, topic: string, brokers: LiveBroker[]): Promise<void> {
  const { admin, info, removals } = ctx;
  let removal = removals.pending(topic);
  if (!removal) {
    const from = new Set(brokers.map((b) => b.brokerName));
    const clusters = new Set(brokers.map((b) => b.clusterName));
    const others = [...clusters].flatMap((c) => info.clusters.get(c) ?? []).filter((name) => !from.has(name));
    const keep: Record<string, TopicConfig> = {};
    for (const broker of locate(
      info,
      others.map((brokerName) => ({ brokerName, clusterName: '' })),
    )) {
      const config = await onBroker(broker, `reading topic ${topic}`, (a) => admin.topicConfig(a, topic));
      if (config) keep[broker.brokerName] = config;
    }
    removal = { from: brokers.map(({ brokerName, clusterName }) => ({ brokerName, clusterName })), keep };
    await removals.start(topic, removal);
  }
  const gone = locate(info, removal.from);
  for (const broker of gone) await onBroker(broker, `deleting topic ${topic}`, (a) => admin.deleteTopicInBroker(a, topic));
  await settleRoute(ctx, topic, gone, removal.keep);
  await removals.done(topic);
}

/**
 * Makes the topic's route list none of `gone` and every broker of `keep` that still holds the
 * topic, registered with exactly its `keep` config (which also undoes a flip a killed run left).
 */
export async function settleRoute(
  ctx: Omit<RemovalContext, 'removals'>,
  topic: string,
  gone: LiveBroker[],
  keep: Record<string, TopicConfig>,
): Promise<void> {
  const { admin, info } = ctx;
  const keepers: LiveBroker[] = [];
  const unsettled = new Set<LiveBroker>();
  for (const broker of locate(
    info,
    Object.keys(keep).map((brokerName) => ({ brokerName, clusterName: '' })),
  )) {
    const current = await onBroker(broker, `reading topic ${topic}`, (a) => admin.topicConfig(a, topic));
    // A broker that lost the topic meanwhile has nothing to register.
    if (!current) continue;
    keepers.push(broker);
    if (!topicConfigsEqual(current, keep[broker.brokerName])) unsettled.add(broker);
  }
  for (let round = 1; ; round++) {
    const listed = new Set((await admin.topicRoute(topic))?.queueDatas.map((q) => q.brokerName) ?? []);
    const stale = gone.filter((b) => listed.has(b.brokerName));
    for (const cluster of new Set(stale.map((b) => b.clusterName))) await admin.deleteTopicInNameServers(topic, cluster);
    const missing = keepers.filter((b) => stale.length > 0 || !listed.has(b.brokerName) || unsettled.has(b));
    if (stale.length === 0 && missing.length === 0) return;
    if (round > ROUNDS)
      throw new Error(`the route of ${topic} still lists removed brokers (${names(stale)}) or lacks kept ones (${names(missing)})`);
    for (const broker of missing) {
      await reRegister(admin, broker, keep[broker.brokerName]);
      unsettled.delete(broker);
    }
    await ctx.sleep(300 * round);
  }
}

async function reRegister(admin: TransferAdmin, broker: LiveBroker, config: TopicConfig): Promise<void> {
  await onBroker(broker, `registering topic ${config.topicName} again`, async (address) => {
    const current = await admin.topicConfig(address, config.topicName);
    if (!current) return;
    const flipped = { ...config, perm: config.perm ^ Perm.INHERIT };
    if (!topicConfigsEqual(current, flipped)) await admin.putTopic(address, flipped, current);
    await admin.putTopic(address, config, flipped);
  });
}
