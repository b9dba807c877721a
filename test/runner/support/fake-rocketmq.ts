// An in-memory RocketMQ behind the TransferAdmin interface, for faults a real one cannot be made to
// show on cue: it records every call, can refuse a broker, fail chosen calls, or freeze (a runner
// killed mid-step: the call never returns). Behaviour follows remoting §2 as far as a transfer sees
// it, including 5.x not re-registering an update that changes nothing.
import { RemotingConnectionError } from '../../../hooks/rocketmq/errors.js';
import { subscriptionGroupsEqual, topicConfigsEqual } from '../../../hooks/rocketmq/topic-config.js';
import type {
  ClusterInfo,
  ConsumeStats,
  QueueData,
  SubscriptionGroupConfig,
  TopicConfig,
  TopicRouteData,
} from '../../../hooks/rocketmq/types.js';
import type { TransferAdmin } from '../../../hooks/runner/transfer/admin.js';

export interface FakeBroker {
  brokerName: string;
  clusterName: string;
  address: string;
  reachable: boolean;
  topics: Map<string, TopicConfig>;
  groups: Map<string, SubscriptionGroupConfig>;
  /** Messages stored per queue of each topic (each queue's max offset). */
  queues: Map<string, number[]>;
  /** Committed offsets: group → topic → per queue. */
  offsets: Map<string, Map<string, number[]>>;
}

export interface FakeCall {
  op: keyof TransferAdmin;
  address?: string;
  topic?: string;
  group?: string;
}

const MUTATING = new Set<FakeCall['op']>([
  'putTopic',
  'deleteTopicInBroker',
  'deleteTopicInNameServers',
  'putSubscriptionGroup',
  'deleteSubscriptionGroup',
]);

export { groupConfig, topicConfig } from '../../support/rocketmq-configs.js';

const clone = <T>(value: T): T => structuredClone(value);

export class FakeRocketMQ implements TransferAdmin {
  readonly brokers: FakeBroker[] = [];
  /** The name server's route table: topic → broker name → queue data. */
  readonly routes = new Map<string, Map<string, QueueData>>();
  readonly calls: FakeCall[] = [];
  /** Groups whose consumers are online and keep up: group → topics they subscribe to. */
  readonly consumers = new Map<string, Set<string>>();
  /** A failing call throws what this returns. */
  failWhen?: (call: FakeCall) => Error | undefined;
  /** Counts down mutating calls; at zero every further call hangs, like a killed process. */
  freezeAfterMutations?: number;
  /** Calls left hanging by the freeze. */
  frozenCalls = 0;
  /** Runs before each call (after the freeze and fault checks), e.g. to produce messages mid-transfer. */
  beforeCall?: (call: FakeCall) => void;

  addBroker(clusterName: string, brokerName: string): FakeBroker {
    const broker: FakeBroker = {
      brokerName,
      clusterName,
      address: `${brokerName}.test:10911`,
      reachable: true,
      topics: new Map(),
      groups: new Map(),
      queues: new Map(),
      offsets: new Map(),
    };
    this.brokers.push(broker);
    return broker;
  }

  broker(name: string): FakeBroker {
    const found = this.brokers.find((b) => b.brokerName === name);
    if (!found) throw new Error(`no fake broker ${name}`);
    return found;
  }

  // ---- test helpers (no call recorded) ----

  createTopic(brokerName: string, config: TopicConfig): void {
    this.store(this.broker(brokerName), config);
  }

  createGroup(brokerName: string, config: SubscriptionGroupConfig): void {
    this.broker(brokerName).groups.set(config.groupName, clone(config));
  }

  /** Writes `count` messages round robin over the topic's write queues; refused without write perm. */
  produce(brokerName: string, topic: string, count: number): void {
    const broker = this.broker(brokerName);
    const config = broker.topics.get(topic);
    if (!config || (config.perm & 2) === 0) throw new Error(`${brokerName} takes no writes for ${topic}`);
    const queues = broker.queues.get(topic)!;
    for (let i = 0; i < count; i++) queues[i % config.writeQueueNums]++;
  }

  /** A group's consumer comes online on the topic and consumes everything, now and at every call. */
  startConsumer(group: string, topic: string): void {
    this.consumers.set(group, new Set([...(this.consumers.get(group) ?? []), topic]));
    this.catchUp();
  }

  stopConsumer(group: string): void {
    this.consumers.delete(group);
  }

  /** Commits offsets without an online consumer. */
  commit(brokerName: string, group: string, topic: string, perQueue: number[]): void {
    const offsets = this.broker(brokerName).offsets;
    if (!offsets.has(group)) offsets.set(group, new Map());
    offsets.get(group)!.set(topic, [...perQueue]);
  }

  unconsumed(brokerName: string, group: string, topic: string): number {
    const broker = this.broker(brokerName);
    const queues = broker.queues.get(topic) ?? [];
    const offsets = broker.offsets.get(group)?.get(topic) ?? [];
    return queues.reduce((sum, max, i) => sum + max - (offsets[i] ?? 0), 0);
  }

  routedBrokers(topic: string): string[] {
    return [...(this.routes.get(topic)?.keys() ?? [])].sort();
  }

  mutations(): FakeCall[] {
    return this.calls.filter((c) => MUTATING.has(c.op));
  }

  // ---- TransferAdmin ----

  async clusterInfo(): Promise<ClusterInfo> {
    await this.enter({ op: 'clusterInfo' });
    const info: ClusterInfo = { brokers: new Map(), clusters: new Map() };
    for (const b of this.brokers) {
      info.brokers.set(b.brokerName, { cluster: b.clusterName, brokerName: b.brokerName, brokerAddrs: new Map([[0, b.address]]) });
      info.clusters.set(b.clusterName, [...(info.clusters.get(b.clusterName) ?? []), b.brokerName].sort());
    }
    return info;
  }

  async topicRoute(topic: string): Promise<TopicRouteData | undefined> {
    await this.enter({ op: 'topicRoute', topic });
    const route = this.routes.get(topic);
    if (!route || route.size === 0) return undefined;
    const queueDatas = [...route.values()].map(clone);
    const brokerDatas = queueDatas.map((q) => {
      const b = this.broker(q.brokerName);
      return { cluster: b.clusterName, brokerName: b.brokerName, brokerAddrs: new Map([[0, b.address]]) };
    });
    return { queueDatas, brokerDatas };
  }

  async topicConfig(address: string, topic: string): Promise<TopicConfig | undefined> {
    const broker = await this.enter({ op: 'topicConfig', address, topic });
    const config = broker!.topics.get(topic);
    return config && clone(config);
  }

  async putTopic(address: string, config: TopicConfig): Promise<void> {
    const broker = (await this.enter({ op: 'putTopic', address, topic: config.topicName }))!;
    const current = broker.topics.get(config.topicName);
    if (current && topicConfigsEqual(current, config)) return;
    this.store(broker, config);
  }

  async deleteTopicInBroker(address: string, topic: string): Promise<void> {
    const broker = (await this.enter({ op: 'deleteTopicInBroker', address, topic }))!;
    broker.topics.delete(topic);
    broker.queues.delete(topic);
    for (const byTopic of broker.offsets.values()) byTopic.delete(topic);
  }

  async deleteTopicInNameServers(topic: string, clusterName: string): Promise<void> {
    await this.enter({ op: 'deleteTopicInNameServers', topic });
    const route = this.routes.get(topic);
    for (const b of this.brokers) if (b.clusterName === clusterName) route?.delete(b.brokerName);
    if (route?.size === 0) this.routes.delete(topic);
  }

  async subscriptionGroup(address: string, group: string): Promise<SubscriptionGroupConfig | undefined> {
    const broker = (await this.enter({ op: 'subscriptionGroup', address, group }))!;
    const config = broker.groups.get(group);
    return config && clone(config);
  }

  async putSubscriptionGroup(address: string, config: SubscriptionGroupConfig): Promise<void> {
    const broker = (await this.enter({ op: 'putSubscriptionGroup', address, group: config.groupName }))!;
    const current = broker.groups.get(config.groupName);
    if (!current || !subscriptionGroupsEqual(current, config)) broker.groups.set(config.groupName, clone(config));
  }

  async deleteSubscriptionGroup(address: string, group: string): Promise<void> {
    const broker = (await this.enter({ op: 'deleteSubscriptionGroup', address, group }))!;
    broker.groups.delete(group);
  }

  async topicConsumers(address: string, topic: string): Promise<string[]> {
    const broker = (await this.enter({ op: 'topicConsumers', address, topic }))!;
    const groups = new Set<string>();
    for (const [group, topics] of this.consumers) if (topics.has(topic)) groups.add(group);
    for (const [group, byTopic] of broker.offsets) if (byTopic.has(topic)) groups.add(group);
    return [...groups].sort();
  }

  async consumeStats(address: string, group: string, topic?: string): Promise<ConsumeStats> {
    const broker = (await this.enter({ op: 'consumeStats', address, group, topic }))!;
    const online = this.consumers.get(group);
    const topics = (topic ? [topic] : [...(broker.offsets.get(group)?.keys() ?? [])]).filter(
      (t) => !online || online.has(t) || t.startsWith('%RETRY%'),
    );
    const queues = topics.flatMap((t) => {
      const config = broker.topics.get(t);
      if (!config) return [];
      const stored = broker.queues.get(t) ?? [];
      const offsets = broker.offsets.get(group)?.get(t) ?? [];
      return Array.from({ length: config.readQueueNums }, (_, queueId) => {
        const brokerOffset = stored[queueId] ?? 0;
        const consumerOffset = offsets[queueId] ?? 0;
        return {
          topic: t,
          brokerName: broker.brokerName,
          queueId,
          brokerOffset,
          consumerOffset,
          lastTimestamp: 0,
          lag: brokerOffset - consumerOffset,
        };
      });
    });
    return { consumeTps: 0, queues, totalLag: queues.reduce((sum, q) => sum + q.lag, 0) };
  }

  // ---- internals ----

  private store(broker: FakeBroker, config: TopicConfig): void {
    broker.topics.set(config.topicName, clone(config));
    const queues = broker.queues.get(config.topicName) ?? [];
    while (queues.length < Math.max(config.readQueueNums, config.writeQueueNums)) queues.push(0);
    broker.queues.set(config.topicName, queues);
    if (!this.routes.has(config.topicName)) this.routes.set(config.topicName, new Map());
    const { readQueueNums, writeQueueNums, perm, topicSysFlag } = config;
    this.routes
      .get(config.topicName)!
      .set(broker.brokerName, { brokerName: broker.brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag });
  }

  private catchUp(): void {
    for (const [group, topics] of this.consumers) {
      for (const broker of this.brokers) {
        for (const topic of topics) {
          if (broker.topics.has(topic)) this.commit(broker.brokerName, group, topic, broker.queues.get(topic)!);
        }
      }
    }
  }

  private async enter(call: FakeCall): Promise<FakeBroker | undefined> {
    if (this.freezeAfterMutations !== undefined && this.freezeAfterMutations <= 0) {
      this.frozenCalls++;
      return new Promise(() => {});
    }
    if (MUTATING.has(call.op) && this.freezeAfterMutations !== undefined) this.freezeAfterMutations--;
    this.calls.push(call);
    const broker = call.address === undefined ? undefined : this.brokers.find((b) => b.address === call.address);
    if (call.address !== undefined && (!broker || !broker.reachable)) {
      throw new RemotingConnectionError(`connection to ${call.address} failed: ECONNREFUSED`, call.address);
    }
    const fault = this.failWhen?.(call);
    if (fault) throw fault;
    this.beforeCall?.(call);
    this.catchUp();
    return broker;
  }
}
