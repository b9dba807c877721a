// Before anything changes: which brokers, which groups, and the original state rollback restores.
// Planning only reads, so when it fails there is nothing to undo.
import type { TopicTransferCommand } from '../../jobs/runner-command.js';
import { Perm } from '../../rocketmq/codes.js';
import type { SubscriptionGroupConfig, TopicConfig } from '../../rocketmq/types.js';
import type { TransferBroker, TransferSaved } from '../../topictransfer/state.js';
import type { TransferAdmin } from './admin.js';
import { onBroker, resolveBrokers, type LiveBroker } from './brokers.js';

export type TransferRequest = Pick<TopicTransferCommand, 'topic' | 'source' | 'target'>;

export const retryTopicOf = (group: string) => `%RETRY%${group}`;

const names = (brokers: { brokerName: string }[]) => brokers.map((b) => b.brokerName).join(', ');
const plain = ({ brokerName, clusterName }: LiveBroker): TransferBroker => ({ brokerName, clusterName });

export async function planTransfer(admin: TransferAdmin, request: TransferRequest, now: Date): Promise<TransferSaved> {
  const { topic } = request;
  const info = await admin.clusterInfo().catch((error: Error) => {
    throw new Error(`the name servers did not answer: ${error.message}`, { cause: error });
  });
  const source = resolveBrokers(info, request.source, 'source');
  const target = resolveBrokers(info, request.target, 'target');
  const shared = source.filter((s) => target.some((t) => t.brokerName === s.brokerName));
  if (shared.length > 0) throw new Error(`source "${request.source}" and target "${request.target}" share broker ${names(shared)}`);

  const sourceTopic: Record<string, TopicConfig> = {};
  for (const broker of source) {
    const config = await onBroker(broker, `reading topic ${topic}`, (a) => admin.topicConfig(a, topic));
    if (config) sourceTopic[broker.brokerName] = config;
  }
  const holders = source.filter((b) => sourceTopic[b.brokerName]);
  if (holders.length === 0) throw new Error(`topic ${topic} does not exist on source "${request.source}" (brokers ${names(source)})`);

  const groups = new Set<string>();
  for (const broker of holders) {
    for (const group of await onBroker(broker, `listing the consumers of ${topic}`, (a) => admin.topicConsumers(a, topic)))
      groups.add(group);
  }
  if (groups.size === 0) {
    throw new Error(
      `no consumer group consumes topic ${topic} on source "${request.source}" (no subscriber online and no committed offsets on ${names(holders)}); ` +
        'the source is deleted only once every group has consumed it, so at least one group must exist',
    );
  }
  const groupList = [...groups].sort();

  const sourceGroups: Record<string, Record<string, SubscriptionGroupConfig>> = {};
  const sourceRetryTopics: Record<string, TopicConfig> = {};
  for (const broker of holders) {
    const configs: Record<string, SubscriptionGroupConfig> = {};
    for (const group of groupList) {
      const config = await onBroker(broker, `reading group ${group}`, (a) => admin.subscriptionGroup(a, group));
      if (config) configs[group] = config;
      const retry = sourceRetryTopics[group]
        ? undefined
        : await onBroker(broker, `reading topic ${retryTopicOf(group)}`, (a) => admin.topicConfig(a, retryTopicOf(group)));
      if (retry) sourceRetryTopics[group] = retry;
    }
    sourceGroups[broker.brokerName] = configs;
  }

  const targetBefore: TransferSaved['targetBefore'] = {};
  for (const broker of target) {
    const existing = await onBroker(broker, `reading topic ${topic}`, (a) => admin.topicConfig(a, topic));
    if (existing && (existing.perm & Perm.WRITE) === 0) {
      throw new Error(
        `topic ${topic} already exists on target broker ${broker.brokerName} without write permission (perm ${existing.perm}), so producers could not move there`,
      );
    }
    const before = { topic: existing !== undefined, groups: [] as string[], retryTopics: [] as string[] };
    for (const group of groupList) {
      if (await onBroker(broker, `reading group ${group}`, (a) => admin.subscriptionGroup(a, group))) before.groups.push(group);
      if (await onBroker(broker, `reading topic ${retryTopicOf(group)}`, (a) => admin.topicConfig(a, retryTopicOf(group))))
        before.retryTopics.push(retryTopicOf(group));
    }
    targetBefore[broker.brokerName] = before;
  }

  return {
    savedAt: now.toISOString(),
    sourceBrokers: holders.map(plain),
    targetBrokers: target.map(plain),
    groups: groupList,
    sourceTopic,
    sourceGroups,
    sourceRetryTopics,
    targetBefore,
  };
}
