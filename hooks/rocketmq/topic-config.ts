// How topic and group configs are compared and put on the wire for writes.
import type { SubscriptionGroupConfig, TopicConfig } from './types.js';

/** Fills the fields a caller may leave out with RocketMQ's defaults. */
export type TopicConfigInput = Pick<TopicConfig, 'topicName'> & Partial<TopicConfig>;

export function completeTopicConfig(input: TopicConfigInput): TopicConfig {
  return {
    topicName: input.topicName,
    readQueueNums: input.readQueueNums ?? 8,
    writeQueueNums: input.writeQueueNums ?? 8,
    perm: input.perm ?? 6,
    topicFilterType: input.topicFilterType ?? 'SINGLE_TAG',
    topicSysFlag: input.topicSysFlag ?? 0,
    order: input.order ?? false,
    attributes: input.attributes ?? {},
  };
}

/**
 * 5.x brokers apply topic attributes as changes to what they hold: "+key" sets, "-key" removes,
 * keys left out stay, and on an existing topic an unchangeable attribute (queue.type) may not be
 * sent again. So only differences to the broker's current config are sent.
 */
export function attributeChanges(desired: Record<string, string>, current?: Record<string, string>): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired)) {
    if (current?.[key] !== value) changes[`+${key}`] = value;
  }
  for (const key of Object.keys(current ?? {})) {
    if (!(key in desired)) changes[`-${key}`] = '';
  }
  return changes;
}

/** The AttributeParser text form of UPDATE_AND_CREATE_TOPIC: "+a=1,-b". */
export function formatAttributeChanges(changes: Record<string, string>): string {
  return Object.entries(changes)
    .map(([key, value]) => (key.startsWith('-') ? key : `${key}=${value}`))
    .join(',');
}

/**
 * What a broker can store. 4.x brokers drop a topic's `order` flag and attributes on write, and keep
 * only their own group fields; comparing those would never settle.
 */
export interface StoredFields {
  topicOrder: boolean;
  topicAttributes: boolean;
  /** Group fields kept, or undefined for all of them. */
  groupFields?: readonly string[];
}

export const ALL_FIELDS: StoredFields = { topicOrder: true, topicAttributes: true };

export const V4_FIELDS: StoredFields = {
  topicOrder: false,
  topicAttributes: false,
  groupFields: [
    'groupName',
    'consumeEnable',
    'consumeFromMinEnable',
    'consumeBroadcastEnable',
    'retryQueueNums',
    'retryMaxTimes',
    'brokerId',
    'whichBrokerWhenConsumeSlowly',
    'notifyConsumerIdsChangedEnable',
  ],
};

export function topicConfigsEqual(a: TopicConfig, b: TopicConfig, stored: StoredFields = ALL_FIELDS): boolean {
  return (
    a.topicName === b.topicName &&
    a.readQueueNums === b.readQueueNums &&
    a.writeQueueNums === b.writeQueueNums &&
    a.perm === b.perm &&
    a.topicFilterType === b.topicFilterType &&
    a.topicSysFlag === b.topicSysFlag &&
    (!stored.topicOrder || a.order === b.order) &&
    (!stored.topicAttributes || canonicalJson(a.attributes) === canonicalJson(b.attributes))
  );
}

/** Compares every stored field, known or not, with key order ignored. */
export function subscriptionGroupsEqual(
  a: SubscriptionGroupConfig,
  b: SubscriptionGroupConfig,
  stored: StoredFields = ALL_FIELDS,
): boolean {
  if (!stored.groupFields) return canonicalJson(a) === canonicalJson(b);
  return stored.groupFields.every((field) => canonicalJson(a[field]) === canonicalJson(b[field]));
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
    }
    return v;
  });
}
