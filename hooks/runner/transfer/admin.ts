// The RocketMQ operations a transfer uses, each aimed at one broker or at the name servers, so a
// test can stand in for RocketMQ or make one broker fail. Two of them (who consumes a topic and a
// group's progress, on ONE broker) are built here on the remoting client: the shared admin client
// asks only the brokers of the topic's route, which is not where a transfer needs to look.
import type { RocketMQAdmin } from '../../rocketmq/admin.js';
import { RequestCode, ResponseCode } from '../../rocketmq/codes.js';
import { decodeConsumeStats, decodeStringList } from '../../rocketmq/decode.js';
import { RemotingResponseError } from '../../rocketmq/errors.js';
import { parseFastjsonBuffer } from '../../rocketmq/fastjson.js';
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
      const reply = await admin.client.call(broker, RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { extFields: { topic } });
      const groups = decodeStringList(parseFastjsonBuffer(reply.body), 'groupList');
      // 5.3.x files each online subscriber under the topic's own name instead of its group's
      // (ConsumerManager.registerConsumer adds the topic to topicGroupTable), so that name is only
      // a group if the broker has a group of that name.
      if (!groups.includes(topic) || (await admin.subscriptionGroup(broker, topic))) return groups;
      return groups.filter((group) => group !== topic);
    },
    async consumeStats(broker, group, topic) {
      const reply = await admin.client.call(broker, RequestCode.GET_CONSUME_STATS, { extFields: { consumerGroup: group, topic } });
      return decodeConsumeStats([parseFastjsonBuffer(reply.body)]);
    },
  };
}
