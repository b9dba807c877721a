// The RocketMQ operations a transfer uses, each aimed at one broker or at the name servers, so a
// test can stand in for RocketMQ or make one broker fail.
import type { RocketMQAdmin } from '../../rocketmq/admin.js';
import { ResponseCode } from '../../rocketmq/codes.js';
import { RemotingResponseError } from '../../rocketmq/errors.js';
import type { ClusterInfo, ConsumeStats, SubscriptionGroupConfig, TopicConfig, TopicRouteData } from '../../rocketmq/types.js';

/** Broker arguments are master addresses (host:port). */
export interface TransferAdmin {
  clusterInfo(): Promise<ClusterInfo>;
  /** The topic's route, or undefined when no name server has one. */
  topicRoute(topic: string): Promise<TopicRouteData | undefined>;
  topicConfig(broker: string, topic: string): Promise<TopicConfig | undefined>;
  /** Creates or replaces the topic; `current` (the broker's config) lets attributes go as changes. */
  putTopic(broker: string, config: TopicConfig, current?: TopicConfig): Promise<void>;
  deleteTopicInBroker(broker: string, topic: string): Promise<void>;
  /** Removes the queue data of that cluster's brokers from the topic's route on every name server. */
  deleteTopicInNameServers(topic: string, clusterName: string): Promise<void>;
  subscriptionGroup(broker: string, group: string): Promise<SubscriptionGroupConfig | undefined>;
  putSubscriptionGroup(broker: string, config: SubscriptionGroupConfig): Promise<void>;
  /** Deletes the group's config and keeps its offsets (they may belong to other topics). */
  deleteSubscriptionGroup(broker: string, group: string): Promise<void>;
  /** Groups with online subscribers of the topic or committed offsets on it, on this broker. */
  topicConsumers(broker: string, topic: string): Promise<string[]>;
  /** The group's progress on this broker: on `topic`, or on every topic it has offsets for. */
  consumeStats(broker: string, group: string, topic?: string): Promise<ConsumeStats>;
}

export function remotingTransferAdmin(admin: RocketMQAdmin): TransferAdmin {
  return {
    clusterInfo: () => admin.clusterInfo(),
    async topicRoute(topic) {
      try {
        return await admin.topicRoute(topic);
      } catch (error) {
        if (error instanceof RemotingResponseError && error.code === ResponseCode.TOPIC_NOT_EXIST) return undefined;
        throw error;
      }
    },
    topicConfig: (broker, topic) => admin.topicConfig(broker, topic),
    putTopic: (broker, config, current) => admin.createOrUpdateTopic(broker, config, current),
    deleteTopicInBroker: (broker, topic) => admin.deleteTopicInBroker(broker, topic),
    deleteTopicInNameServers: (topic, clusterName) => admin.deleteTopicInNameServers(topic, clusterName),
    subscriptionGroup: (broker, group) => admin.subscriptionGroup(broker, group),
    putSubscriptionGroup: (broker, config) => admin.createOrUpdateSubscriptionGroup(broker, config),
    deleteSubscriptionGroup: (broker, group) => admin.deleteSubscriptionGroup(broker, group, false),
    async topicConsumers(broker, topic) {
      const groups = await admin.brokerTopicConsumers(broker, topic);
      // 5.3.x files each online subscriber under the topic's own name instead of its group's
      // (ConsumerManager.registerConsumer adds the topic to topicGroupTable), so that name is only
      // a group if the broker has a group of that name.
      if (!groups.includes(topic) || (await admin.subscriptionGroup(broker, topic))) return groups;
      return groups.filter((group) => group !== topic);
    },
    consumeStats: (broker, group, topic) => admin.brokerConsumeStats(broker, group, topic),
  };
}
