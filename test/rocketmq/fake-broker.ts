// An in-memory broker behind the fake server: enough of the admin protocol for the metadata copy and
// the name-server update, with switches for behaviours a real broker shows rarely (4.9.x without
// list requests, busy replies, refused writes).
import { RequestCode } from '../../hooks/rocketmq/codes.js';
import type { SubscriptionGroupConfig, TopicConfig } from '../../hooks/rocketmq/types.js';
import { respond as respondAs, startFakeServer, type FakeRequest, type FakeServer } from './fake-server.js';

export interface FakeBroker {
  server: FakeServer;
  address: string;
  topics: Map<string, TopicConfig>;
  groups: Map<string, SubscriptionGroupConfig>;
  /** Settings changed with UPDATE_BROKER_CONFIG (namesrvAddr among them), reported by GET_BROKER_CONFIG. */
  config: Map<string, string>;
  /** Every UPDATE_BROKER_CONFIG body received, as text. */
  configUpdates: string[];
  /** Answer request code → list of response codes to give before behaving normally. */
  failures: Map<number, number[]>;
  close(): Promise<void>;
}

function applyAttributes(current: Record<string, string>, changes: Record<string, string>): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (key.startsWith('+')) next[key.slice(1)] = value;
    else if (key.startsWith('-')) delete next[key.slice(1)];
    else throw new Error(`attribute without +/-: ${key}`);
  }
  return next;
}

export async function startFakeBroker(options: {
  brokerName: string;
  clusterName: string;
  listRequests?: boolean;
  version?: number;
  /** namesrvAddr the broker was started with. */
  namesrvAddr?: string;
  /** Accept UPDATE_BROKER_CONFIG and keep nothing of it (to see a read-back fail). */
  dropConfigUpdates?: boolean;
}): Promise<FakeBroker> {
  const config = new Map<string, string>(options.namesrvAddr ? [['namesrvAddr', options.namesrvAddr]] : []);
  const configUpdates: string[] = [];
  const topics = new Map<string, TopicConfig>();
  const groups = new Map<string, SubscriptionGroupConfig>();
  const failures = new Map<number, number[]>();
  const v4 = options.version !== undefined && options.version < 412;
  const putTopic = (config: TopicConfig, changes: Record<string, string>): void => {
    // Like 4.9.x: the order flag and attributes of a write are not kept.
    if (v4) topics.set(config.topicName, { ...config, order: false, attributes: {} });
    else topics.set(config.topicName, { ...config, attributes: applyAttributes(topics.get(config.topicName)?.attributes ?? {}, changes) });
  };
  const respond = (request: FakeRequest, reply: Parameters<typeof respondAs>[1] = {}): void =>
    respondAs(request, { version: options.version, ...reply });
  const handle = (request: FakeRequest): void => {
    const pending = failures.get(request.code);
    if (pending && pending.length > 0) {
      respond(request, { code: pending.shift(), remark: 'scripted failure' });
      return;
    }
    if (request.code === RequestCode.UPDATE_BROKER_CONFIG) {
      // Java properties text; the values sent here need no unescaping beyond `\\`.
      const text = request.body?.toString('latin1') ?? '';
      configUpdates.push(text);
      if (!options.dropConfigUpdates) {
        for (const line of text.split('\n').filter(Boolean)) {
          const at = line.indexOf('=');
          config.set(line.slice(0, at), line.slice(at + 1).replace(/\\(.)/g, '$1'));
        }
      }
      return respond(request);
    }
    const body = request.body ? JSON.parse(request.body.toString()) : undefined;
    switch (request.code) {
      case RequestCode.GET_BROKER_CONFIG: {
        const lines = [`brokerClusterName=${options.clusterName}`, `brokerName=${options.brokerName}`, 'listenPort=10911'];
        for (const [key, value] of config) lines.push(`${key}=${value}`);
        return respond(request, { body: `${lines.join('\n')}\n` });
      }
      case RequestCode.GET_ALL_TOPIC_CONFIG:
        return respond(request, { body: JSON.stringify({ dataVersion: {}, topicConfigTable: Object.fromEntries(topics) }) });
      case RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG:
        return respond(request, { body: JSON.stringify({ dataVersion: {}, subscriptionGroupTable: Object.fromEntries(groups) }) });
      case RequestCode.UPDATE_AND_CREATE_TOPIC: {
        const e = request.extFields ?? {};
        const changes = Object.fromEntries(
          (e.attributes ?? '')
            .split(',')
            .filter((x) => x !== '')
            .map((x) => (x.startsWith('-') ? [x, ''] : x.split('='))),
        );
        putTopic(
          {
            topicName: e.topic,
            readQueueNums: Number(e.readQueueNums),
            writeQueueNums: Number(e.writeQueueNums),
            perm: Number(e.perm),
            topicFilterType: e.topicFilterType as TopicConfig['topicFilterType'],
            topicSysFlag: Number(e.topicSysFlag),
            order: e.order === 'true',
            attributes: {},
          },
          changes,
        );
        return respond(request);
      }
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP:
        groups.set(body.groupName, body);
        return respond(request);
      case RequestCode.UPDATE_AND_CREATE_TOPIC_LIST:
        if (!options.listRequests) break;
        for (const config of body.topicConfigList as TopicConfig[]) putTopic({ ...config, attributes: {} }, config.attributes);
        return respond(request);
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST:
        if (!options.listRequests) break;
        for (const config of body.groupConfigList as SubscriptionGroupConfig[]) groups.set(config.groupName, config);
        return respond(request);
    }
    respond(request, { code: 3, remark: ` request type ${request.code} not supported` });
  };
  const server = await startFakeServer(handle);
  return { server, address: server.address, topics, groups, config, configUpdates, failures, close: () => server.close() };
}
