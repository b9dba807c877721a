// Shapes of the RocketMQ objects the admin client reads and writes (field names as on the wire).

export type TopicFilterType = 'SINGLE_TAG' | 'MULTI_TAG';

/** A topic's configuration on one broker (`TopicConfig`). */
export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  /** Bit mask of Perm.READ/WRITE/INHERIT. */
  perm: number;
  topicFilterType: TopicFilterType;
  topicSysFlag: number;
  order: boolean;
  /** 5.x topic attributes without the +/- prefix, e.g. {"message.type": "NORMAL"}; empty on 4.9.x. */
  attributes: Record<string, string>;
}

export interface GroupRetryPolicy {
  type: string;
  exponentialRetryPolicy?: { initial?: number; max?: number; multiplier?: number };
  customizedRetryPolicy?: { next?: number[] };
  [field: string]: unknown;
}

/**
 * A consumer group's settings on one broker (`SubscriptionGroupConfig`). Fields this client does
 * not know (newer servers) are kept, so a config read from one broker can be written to another.
 */
export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeMessageOrderly: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
  groupSysFlag: number;
  consumeTimeoutMinute: number;
  groupRetryPolicy?: GroupRetryPolicy;
  subscriptionDataSet?: unknown[];
  attributes: Record<string, string>;
  [field: string]: unknown;
}

/** A broker group as the name server knows it; `brokerAddrs` maps brokerId (0 = master) to host:port. */
export interface BrokerData {
  cluster: string;
  brokerName: string;
  brokerAddrs: Map<number, string>;
  zoneName?: string;
  enableActingMaster?: boolean;
}

export interface ClusterInfo {
  /** Broker name → broker data. */
  brokers: Map<string, BrokerData>;
  /** Cluster name → broker names. */
  clusters: Map<string, string[]>;
}

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface TopicRouteData {
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  orderTopicConf?: string;
}

export interface MessageQueue {
  topic: string;
  brokerName: string;
  queueId: number;
}

/** Progress of one consumer group on one queue; `lag` = brokerOffset − consumerOffset. */
export interface QueueConsumeStats extends MessageQueue {
  brokerOffset: number;
  consumerOffset: number;
  /** 5.x only. */
  pullOffset?: number;
  lastTimestamp: number;
  lag: number;
}

export interface ConsumeStats {
  consumeTps: number;
  /** Sorted by topic, broker name, queue id. */
  queues: QueueConsumeStats[];
  totalLag: number;
}

export interface QueueOffsets extends MessageQueue {
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface TopicStats {
  /** Sorted by broker name, queue id. */
  queues: QueueOffsets[];
  /** 5.x only: summed over brokers. */
  putTps?: number;
}

/** Where to send a broker request: its name (for messages) and master address. */
export interface BrokerAddress {
  brokerName: string;
  address: string;
}

/** A broker of a group as a 5.x controller knows it. */
export interface ReplicaIdentity {
  brokerId: number;
  brokerAddress: string;
  alive: boolean;
}

/** A group's master and sync state set, as the controller leader holds them. */
export interface ReplicasInfo {
  /** -1 while the group has no master. */
  masterBrokerId: number;
  masterAddress: string;
  inSync: ReplicaIdentity[];
  notInSync: ReplicaIdentity[];
}
