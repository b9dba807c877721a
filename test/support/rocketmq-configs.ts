// Topic and subscription group configs as a 5.x broker stores them by default, for tests to vary.
import type { SubscriptionGroupConfig, TopicConfig } from '../../hooks/rocketmq/types.js';

export function topicConfig(name: string, overrides: Partial<TopicConfig> = {}): TopicConfig {
  return {
    topicName: name,
    readQueueNums: 4,
    writeQueueNums: 4,
    perm: 6,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
    attributes: {},
    ...overrides,
  };
}

export function groupConfig(name: string, overrides: Partial<SubscriptionGroupConfig> = {}): SubscriptionGroupConfig {
  return {
    groupName: name,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    consumeMessageOrderly: false,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
    groupSysFlag: 0,
    consumeTimeoutMinute: 15,
    groupRetryPolicy: { type: 'CUSTOMIZED' },
    attributes: {},
    ...overrides,
  };
}
