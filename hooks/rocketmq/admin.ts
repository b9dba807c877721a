// Admin operations on name servers and brokers, as mqadmin does them, over the remoting client.
import { RemotingClient, type CallOptions, type ClientOptions } from './client.js';
import type { RemotingCommand } from './codec.js';
import { FIRST_V5_VERSION, RequestCode, ResponseCode } from './codes.js';
import {
  decodeClusterInfo,
  decodeConsumeStats,
  decodeKvTable,
  decodeStringList,
  decodeSubscriptionGroupTable,
  decodeTopicConfig,
  decodeTopicConfigTable,
  decodeTopicRoute,
  decodeTopicStats,
} from './decode.js';
import { RemotingError, RemotingResponseError } from './errors.js';
import { parseFastjsonBuffer } from './fastjson.js';
import { formatProperties, parseConfigLines } from './properties.js';
import {
  ALL_FIELDS,
  attributeChanges,
  completeTopicConfig,
  formatAttributeChanges,
  topicConfigsEqual,
  V4_FIELDS,
  type StoredFields,
  type TopicConfigInput,
} from './topic-config.js';
import type {
  BrokerAddress,
  ClusterInfo,
  ConsumeStats,
  SubscriptionGroupConfig,
  TopicConfig,
  TopicRouteData,
  TopicStats,
} from './types.js';

export interface AdminOptions extends ClientOptions {
  /** Name-server addresses, as a list or RocketMQ's "host:port;host:port" form. */
  nameServers?: string[] | string;
  /** Time limit of a list write (many configs persisted at once). */
  bulkTimeoutMs?: number;
}

export interface BulkWriteOptions {
  /** Items per request in the list form. */
  batchSize?: number;
  /** Never use the list form (one request per item, several in flight). */
  singleRequests?: boolean;
  /** Requests in flight at once when writing one item per request. */
  concurrency?: number;
}

export interface BulkWriteResult {
  /** Items sent (for topics: those not already on the broker unchanged). */
  written: number;
  requests: number;
  /** 'list' when the broker took the 5.x list request, 'single' otherwise. */
  mode: 'list' | 'single' | 'none';
}

export interface NameServerResult<T> {
  nameServer: string;
  value: T;
}

export function parseNameServers(value: string[] | string | undefined): string[] {
  const list = Array.isArray(value) ? value : (value ?? '').split(/[;,]/);
  return list.map((a) => a.trim()).filter((a) => a !== '');
}

export function masterOf(route: { brokerAddrs: Map<number, string> }): string | undefined {
  return route.brokerAddrs.get(0);
}

export class RocketMQAdmin {
  readonly client: RemotingClient;
  readonly nameServers: string[];
  private readonly bulkTimeoutMs: number;
  /** Whether a broker answered the 5.x list requests, per request code and address. */
  private readonly listSupport = new Map<string, boolean>();

  constructor(options: AdminOptions = {}) {
    this.client = new RemotingClient(options);
    this.nameServers = parseNameServers(options.nameServers);
    this.bulkTimeoutMs = options.bulkTimeoutMs ?? Math.max(30_000, this.client.timeoutMs);
  }

  close(): void {
    this.client.close();
  }

  // ---- name server: reads go to the first name server that answers ----

  async clusterInfo(): Promise<ClusterInfo> {
    const reply = await this.askNameServer(RequestCode.GET_BROKER_CLUSTER_INFO);
    return decodeClusterInfo(parseFastjsonBuffer(reply.body));
  }

  /** Throws RemotingResponseError with code TOPIC_NOT_EXIST (17) when no broker serves the topic. */
  async topicRoute(topic: string): Promise<TopicRouteData> {
    const reply = await this.askNameServer(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic, acceptStandardJsonOnly: true } });
    return decodeTopicRoute(parseFastjsonBuffer(reply.body));
  }

  /** Every topic with a route, system topics included. */
  async topicList(): Promise<string[]> {
    const reply = await this.askNameServer(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    return decodeStringList(parseFastjsonBuffer(reply.body), 'topicList').sort();
  }

  async masterAddress(brokerName: string): Promise<string> {
    const info = await this.clusterInfo();
    const broker = info.brokers.get(brokerName);
    const address = broker && masterOf(broker);
    if (!address) {
      const known = [...info.brokers.keys()].sort().join(', ') || 'none';
      throw new Error(
        `broker ${brokerName} has no master registered on name servers ${this.nameServers.join(';')} (registered brokers: ${known})`,
      );
    }
    return address;
  }

  /** Master of every broker group of a cluster. */
  async clusterMasters(clusterName: string): Promise<BrokerAddress[]> {
    const info = await this.clusterInfo();
    const names = info.clusters.get(clusterName);
    if (!names) throw new Error(`cluster ${clusterName} is not registered on name servers ${this.nameServers.join(';')}`);
    return names.flatMap((brokerName) => {
      const broker = info.brokers.get(brokerName);
      const address = broker && masterOf(broker);
      return address ? [{ brokerName, address }] : [];
    });
  }

  /** Removes the topic's route (of one cluster, or entirely) from every name server. */
  async deleteTopicInNameServers(topic: string, clusterName?: string): Promise<void> {
    await this.tellNameServers(RequestCode.DELETE_TOPIC_IN_NAMESRV, { extFields: { topic, clusterName } });
  }

  /** Clears the write bit of the broker's topics on every name server; returns topics touched per name server. */
  async wipeWritePerm(brokerName: string): Promise<NameServerResult<number>[]> {
    const replies = await this.tellNameServers(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { extFields: { brokerName } });
    return replies.map(({ nameServer, value }) => ({ nameServer, value: Number(value.extFields?.wipeTopicCount ?? 0) }));
  }

  /** Sets the perm of the broker's topics back to read+write on every name server. */
  async addWritePerm(brokerName: string): Promise<NameServerResult<number>[]> {
    const replies = await this.tellNameServers(RequestCode.ADD_WRITE_PERM_OF_BROKER, { extFields: { brokerName } });
    return replies.map(({ nameServer, value }) => ({ nameServer, value: Number(value.extFields?.addTopicCount ?? 0) }));
  }

  // ---- topics on a broker ----

  /**
   * Creates or replaces a topic on one broker. `current` is the broker's present config of the
   * topic, when known, so attributes it has and `config` lacks are removed.
   */
  async createOrUpdateTopic(brokerAddress: string, config: TopicConfigInput, current?: TopicConfig): Promise<void> {
    const full = completeTopicConfig(config);
    await this.client.call(brokerAddress, RequestCode.UPDATE_AND_CREATE_TOPIC, {
      extFields: {
        topic: full.topicName,
        defaultTopic: 'TBW102',
        readQueueNums: full.readQueueNums,
        writeQueueNums: full.writeQueueNums,
        perm: full.perm,
        topicFilterType: full.topicFilterType,
        topicSysFlag: full.topicSysFlag,
        order: full.order,
        attributes: formatAttributeChanges(attributeChanges(full.attributes, current?.attributes)),
      },
    });
  }

  /**
   * Creates or replaces many topics, with the 5.x list request where the broker has it (falling
   * back to one request per topic). Topics the broker already holds unchanged are left out: a 5.x
   * broker ends a list request at the first such topic, applying none of the rest, and still
   * answers SUCCESS. `current` is the broker's topic table if the caller has just read it (else it
   * is read here); it also lets attributes be sent as changes.
   */
  async createOrUpdateTopics(
    brokerAddress: string,
    configs: TopicConfigInput[],
    current?: Map<string, TopicConfig>,
    options: BulkWriteOptions = {},
  ): Promise<BulkWriteResult> {
    const table = current ?? (await this.topicConfigs(brokerAddress));
    const changed = configs.map(completeTopicConfig).filter((c) => {
      const present = table.get(c.topicName);
      return !present || !topicConfigsEqual(c, present);
    });
    return this.bulkWrite(brokerAddress, RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, changed, options, {
      listBody: (batch) => ({
        topicConfigList: batch.map((c) => ({ ...c, attributes: attributeChanges(c.attributes, table.get(c.topicName)?.attributes) })),
      }),
      single: (c) => this.createOrUpdateTopic(brokerAddress, c, table.get(c.topicName)),
    });
  }

  /** GET_ALL_TOPIC_CONFIG: the broker's topics, system topics included, keyed by name. */
  async topicConfigs(brokerAddress: string): Promise<Map<string, TopicConfig>> {
    const reply = await this.client.call(brokerAddress, RequestCode.GET_ALL_TOPIC_CONFIG, { timeoutMs: this.bulkTimeoutMs });
    return decodeTopicConfigTable(parseFastjsonBuffer(reply.body));
  }

  /** One topic's config on a broker, or undefined; uses GET_TOPIC_CONFIG (5.x) or the full table. */
  async topicConfig(brokerAddress: string, topic: string): Promise<TopicConfig | undefined> {
    const reply = await this.client.call(brokerAddress, RequestCode.GET_TOPIC_CONFIG, {
      extFields: { topic },
      accept: [ResponseCode.TOPIC_NOT_EXIST, ResponseCode.REQUEST_CODE_NOT_SUPPORTED],
    });
    if (reply.code === ResponseCode.TOPIC_NOT_EXIST) return undefined;
    if (reply.code === ResponseCode.REQUEST_CODE_NOT_SUPPORTED) return (await this.topicConfigs(brokerAddress)).get(topic);
    return decodeTopicConfig(parseFastjsonBuffer(reply.body), topic);
  }

  /** Deletes the topic's config, offsets and files on one broker (its route stays on the name servers). */
  async deleteTopicInBroker(brokerAddress: string, topic: string): Promise<void> {
    await this.client.call(brokerAddress, RequestCode.DELETE_TOPIC_IN_BROKER, { extFields: { topic } });
  }

  /**
   * Deletes a topic everywhere, brokers first (else their next registration brings the route back):
   * on every broker (masters and slaves) of the cluster, or of the topic's route when no cluster is
   * named, then on every name server.
   */
  async deleteTopic(topic: string, clusterName?: string): Promise<void> {
    let addresses: string[];
    if (clusterName) {
      const info = await this.clusterInfo();
      const names = info.clusters.get(clusterName);
      if (!names) throw new Error(`cluster ${clusterName} is not registered on name servers ${this.nameServers.join(';')}`);
      addresses = names.flatMap((name) => [...(info.brokers.get(name)?.brokerAddrs.values() ?? [])]);
    } else {
      addresses = (await this.routeOrEmpty(topic)).brokerDatas.flatMap((b) => [...b.brokerAddrs.values()]);
    }
    await Promise.all(addresses.map((address) => this.deleteTopicInBroker(address, topic)));
    await this.deleteTopicInNameServers(topic, clusterName);
  }

  // ---- subscription groups on a broker ----

  async createOrUpdateSubscriptionGroup(brokerAddress: string, config: SubscriptionGroupConfig): Promise<void> {
    await this.client.call(brokerAddress, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, { body: JSON.stringify(config) });
  }

  /** Creates or replaces many groups, with the 5.x list request where the broker has it. */
  async createOrUpdateSubscriptionGroups(
    brokerAddress: string,
    configs: SubscriptionGroupConfig[],
    options: BulkWriteOptions = {},
  ): Promise<BulkWriteResult> {
    return this.bulkWrite(brokerAddress, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST, configs, options, {
      listBody: (batch) => ({ groupConfigList: batch }),
      single: (c) => this.createOrUpdateSubscriptionGroup(brokerAddress, c),
    });
  }

  /** GET_ALL_SUBSCRIPTIONGROUP_CONFIG: the broker's groups, built-in ones included, keyed by name. */
  async subscriptionGroups(brokerAddress: string): Promise<Map<string, SubscriptionGroupConfig>> {
    const reply = await this.client.call(brokerAddress, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, { timeoutMs: this.bulkTimeoutMs });
    return decodeSubscriptionGroupTable(parseFastjsonBuffer(reply.body));
  }

  /**
   * One group's config on a broker, or undefined. Read from the full table: 5.3.x answers
   * GET_SUBSCRIPTIONGROUP_CONFIG through a lookup that creates the group when the broker has
   * autoCreateSubscriptionGroup on (the default), so asking for a deleted group would bring it back.
   */
  async subscriptionGroup(brokerAddress: string, group: string): Promise<SubscriptionGroupConfig | undefined> {
    return (await this.subscriptionGroups(brokerAddress)).get(group);
  }

  /** Deletes a group on one broker; `cleanOffset` also drops its committed offsets. */
  async deleteSubscriptionGroup(brokerAddress: string, group: string, cleanOffset = false): Promise<void> {
    // The flag is `cleanOffset` in 5.x and `removeOffset` in 4.9.x; unknown keys are ignored.
    await this.client.call(brokerAddress, RequestCode.DELETE_SUBSCRIPTIONGROUP, {
      extFields: { groupName: group, cleanOffset, removeOffset: cleanOffset },
    });
  }

  /** Commits a consumer offset for one queue (group and topic must exist on the broker). */
  async updateConsumerOffset(brokerAddress: string, group: string, topic: string, queueId: number, offset: number): Promise<void> {
    await this.client.call(brokerAddress, RequestCode.UPDATE_CONSUMER_OFFSET, {
      extFields: { consumerGroup: group, topic, queueId, commitOffset: offset },
    });
  }

  // ---- statistics ----

  /**
   * A group's progress with lag per queue, merged over brokers: those serving `topic`, or every
   * master when no topic is given (each broker reports the topics the group has offsets for).
   */
  async consumeStats(group: string, topic?: string): Promise<ConsumeStats> {
    const brokers = topic ? this.routeMasters(await this.routeOrEmpty(topic)) : await this.allMasters();
    return decodeConsumeStats(await Promise.all(brokers.map(({ address }) => this.consumeStatsBody(address, group, topic))));
  }

  /** A group's progress on one broker: on `topic`, or on every topic it has offsets for there. */
  async brokerConsumeStats(brokerAddress: string, group: string, topic?: string): Promise<ConsumeStats> {
    return decodeConsumeStats([await this.consumeStatsBody(brokerAddress, group, topic)]);
  }

  private async consumeStatsBody(brokerAddress: string, group: string, topic?: string) {
    const reply = await this.client.call(brokerAddress, RequestCode.GET_CONSUME_STATS, { extFields: { consumerGroup: group, topic } });
    return parseFastjsonBuffer(reply.body);
  }

  /** Min/max offsets of every queue of a topic, merged over the brokers serving it. */
  async topicStats(topic: string): Promise<TopicStats> {
    const brokers = this.routeMasters(await this.topicRoute(topic));
    const bodies = await Promise.all(
      brokers.map(async ({ address }) => {
        const reply = await this.client.call(address, RequestCode.GET_TOPIC_STATS_INFO, {
          extFields: { topic },
          accept: [ResponseCode.TOPIC_NOT_EXIST],
        });
        return reply.code === ResponseCode.SUCCESS ? [parseFastjsonBuffer(reply.body)] : [];
      }),
    );
    return decodeTopicStats(bodies.flat());
  }

  /** Groups consuming a topic (online subscribers or committed offsets), over all its brokers. */
  async topicConsumers(topic: string): Promise<string[]> {
    const brokers = this.routeMasters(await this.topicRoute(topic));
    const lists = await Promise.all(brokers.map(({ address }) => this.brokerTopicConsumers(address, topic)));
    return [...new Set(lists.flat())].sort();
  }

  /** Groups consuming a topic on one broker. */
  async brokerTopicConsumers(brokerAddress: string, topic: string): Promise<string[]> {
    const reply = await this.client.call(brokerAddress, RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { extFields: { topic } });
    return decodeStringList(parseFastjsonBuffer(reply.body), 'groupList');
  }

  // ---- broker configuration ----

  async brokerConfig(brokerAddress: string): Promise<Record<string, string>> {
    const reply = await this.client.call(brokerAddress, RequestCode.GET_BROKER_CONFIG);
    return parseConfigLines(reply.body?.toString('utf8') ?? '');
  }

  /** Changes broker settings at run time (keys in the broker's black list are refused with code 16). */
  async updateBrokerConfig(brokerAddress: string, values: Record<string, string | number | boolean>): Promise<void> {
    await this.client.call(brokerAddress, RequestCode.UPDATE_BROKER_CONFIG, { body: formatProperties(values) });
  }

  /** The server's version ordinal, from reply headers (asks the broker for its config if none came yet). */
  async serverVersion(address: string): Promise<number | undefined> {
    if (this.client.serverVersion(address) === undefined) await this.client.call(address, RequestCode.GET_BROKER_CONFIG);
    return this.client.serverVersion(address);
  }

  /** Which topic and group fields the broker keeps (4.x keeps fewer than 5.x). */
  async storedFields(brokerAddress: string): Promise<StoredFields> {
    const version = await this.serverVersion(brokerAddress);
    return version !== undefined && version < FIRST_V5_VERSION ? V4_FIELDS : ALL_FIELDS;
  }

  async brokerRuntimeInfo(brokerAddress: string): Promise<Record<string, string>> {
    const reply = await this.client.call(brokerAddress, RequestCode.GET_BROKER_RUNTIME_INFO);
    return decodeKvTable(parseFastjsonBuffer(reply.body));
  }

  // ---- helpers ----

  private async routeOrEmpty(topic: string): Promise<TopicRouteData> {
    try {
      return await this.topicRoute(topic);
    } catch (error) {
      if (error instanceof RemotingResponseError && error.code === ResponseCode.TOPIC_NOT_EXIST) return { queueDatas: [], brokerDatas: [] };
      throw error;
    }
  }

  private routeMasters(route: TopicRouteData): BrokerAddress[] {
    return route.brokerDatas.flatMap((b) => {
      const address = masterOf(b);
      return address ? [{ brokerName: b.brokerName, address }] : [];
    });
  }

  private async allMasters(): Promise<BrokerAddress[]> {
    const info = await this.clusterInfo();
    return [...info.brokers.values()].flatMap((b) => {
      const address = masterOf(b);
      return address ? [{ brokerName: b.brokerName, address }] : [];
    });
  }

  private requireNameServers(): string[] {
    if (this.nameServers.length === 0) throw new Error('no name-server address configured');
    return this.nameServers;
  }

  /** Asks name servers in order until one answers; a reply with an error code is final. */
  private async askNameServer(code: number, options: CallOptions = {}): Promise<RemotingCommand> {
    let lastError: unknown;
    for (const nameServer of this.requireNameServers()) {
      try {
        return await this.client.call(nameServer, code, options);
      } catch (error) {
        if (error instanceof RemotingResponseError || !(error instanceof RemotingError)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Sends to every name server; fails (after trying all) if any of them failed. */
  private async tellNameServers(code: number, options: CallOptions): Promise<NameServerResult<RemotingCommand>[]> {
    const nameServers = this.requireNameServers();
    const settled = await Promise.allSettled(nameServers.map((nameServer) => this.client.call(nameServer, code, options)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s, i) => ({ nameServer: nameServers[i], value: (s as PromiseFulfilledResult<RemotingCommand>).value }));
  }

  private async bulkWrite<T>(
    address: string,
    listCode: number,
    items: T[],
    options: BulkWriteOptions,
    write: { listBody: (batch: T[]) => unknown; single: (item: T) => Promise<void> },
  ): Promise<BulkWriteResult> {
    if (items.length === 0) return { written: 0, requests: 0, mode: 'none' };
    const supportKey = `${listCode}@${address}`;
    if (!options.singleRequests && this.listSupport.get(supportKey) !== false) {
      const batchSize = Math.max(1, options.batchSize ?? 1000);
      let requests = 0;
      for (let start = 0; start < items.length; start += batchSize) {
        const reply = await this.client.call(address, listCode, {
          body: JSON.stringify(write.listBody(items.slice(start, start + batchSize))),
          timeoutMs: this.bulkTimeoutMs,
          accept: [ResponseCode.REQUEST_CODE_NOT_SUPPORTED],
        });
        requests++;
        if (reply.code === ResponseCode.REQUEST_CODE_NOT_SUPPORTED) {
          // 4.9.x (and 5.x before the list codes): write the rest one by one.
          this.listSupport.set(supportKey, false);
          const rest = await this.singleWrites(items.slice(start), options, write.single);
          return { written: items.length, requests: requests + rest, mode: 'single' };
        }
        this.listSupport.set(supportKey, true);
      }
      return { written: items.length, requests, mode: 'list' };
    }
    const requests = await this.singleWrites(items, options, write.single);
    return { written: items.length, requests, mode: 'single' };
  }

  private async singleWrites<T>(items: T[], options: BulkWriteOptions, single: (item: T) => Promise<void>): Promise<number> {
    const concurrency = Math.max(1, options.concurrency ?? 16);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) await single(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
    return items.length;
  }
}
