// Admin behaviours that need several servers or a server of another version: fake servers.
import { RocketMQAdmin, parseNameServers } from '../../hooks/rocketmq/admin.js';
import { RequestCode } from '../../hooks/rocketmq/codes.js';
import { RemotingConnectionError } from '../../hooks/rocketmq/errors.js';
import { closedAddress, respond, startFakeServer, type FakeServer } from './fake-server.js';
import { topicConfig } from '../support/rocketmq-configs.js';

const clusterInfo =
  '{"brokerAddrTable":{"b1":{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},"brokerName":"b1","cluster":"c1"}},"clusterAddrTable":{"c1":["b1"]}}';

let servers: FakeServer[] = [];
let admin: RocketMQAdmin | undefined;

afterEach(async () => {
  admin?.close();
  admin = undefined;
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function nameServer(): Promise<FakeServer> {
  const server = await startFakeServer((request) => {
    if (request.code === RequestCode.GET_BROKER_CLUSTER_INFO) respond(request, { body: clusterInfo });
    else if (request.code === RequestCode.WIPE_WRITE_PERM_OF_BROKER) respond(request, { extFields: { wipeTopicCount: '3' } });
    else respond(request);
  });
  servers.push(server);
  return server;
}

describe('name-server requests', () => {
  it('accepts the "host:port;host:port" form', () => {
    expect(parseNameServers(' a:1; b:2 ;')).toEqual(['a:1', 'b:2']);
    expect(parseNameServers(['a:1'])).toEqual(['a:1']);
  });

  it('reads from the next name server when one is down', async () => {
    const down = await closedAddress();
    const up = await nameServer();
    admin = new RocketMQAdmin({ nameServers: `${down};${up.address}` });
    const info = await admin.clusterInfo();
    expect(info.brokers.get('b1')?.brokerAddrs).toEqual(
      new Map([
        [0, '127.0.0.1:10911'],
        [1, '127.0.0.1:10921'],
      ]),
    );
    expect(await admin.masterAddress('b1')).toBe('127.0.0.1:10911');
    await expect(admin.masterAddress('b9')).rejects.toThrow(
      /broker b9 has no master registered on name servers .* \(registered brokers: b1\)/,
    );
  });

  it('writes to every name server, and fails if one of them is down', async () => {
    const [first, second] = [await nameServer(), await nameServer()];
    admin = new RocketMQAdmin({ nameServers: [first.address, second.address] });
    expect(await admin.wipeWritePerm('b1')).toEqual([
      { nameServer: first.address, value: 3 },
      { nameServer: second.address, value: 3 },
    ]);
    await admin.deleteTopicInNameServers('t1', 'c1');
    for (const server of [first, second]) {
      expect(server.requests.map((r) => [r.code, r.extFields])).toEqual([
        [205, { brokerName: 'b1' }],
        [216, { topic: 't1', clusterName: 'c1' }],
      ]);
    }
    const partly = new RocketMQAdmin({ nameServers: [first.address, await closedAddress()] });
    await expect(partly.addWritePerm('b1')).rejects.toBeInstanceOf(RemotingConnectionError);
    expect(first.requests.at(-1)?.code).toBe(327);
    partly.close();
  });

  it('needs a name server for name-server requests', async () => {
    admin = new RocketMQAdmin();
    await expect(admin.clusterInfo()).rejects.toThrow('no name-server address configured');
  });
});

describe('requests to brokers of either version', () => {
  it('sends both spellings of the delete-group offset flag (cleanOffset in 5.x, removeOffset in 4.9.x)', async () => {
    const broker = await startFakeServer((request) => respond(request));
    servers.push(broker);
    admin = new RocketMQAdmin();
    await admin.deleteSubscriptionGroup(broker.address, 'g1', true);
    expect(broker.requests[0].extFields).toEqual({ groupName: 'g1', cleanOffset: 'true', removeOffset: 'true' });
  });

  it('writes topic configs with every documented key, attributes as changes', async () => {
    const broker = await startFakeServer((request) => respond(request));
    servers.push(broker);
    admin = new RocketMQAdmin();
    await admin.createOrUpdateTopic(
      broker.address,
      { topicName: 't1', order: true, attributes: { 'message.type': 'FIFO' } },
      {
        topicName: 't1',
        readQueueNums: 8,
        writeQueueNums: 8,
        perm: 6,
        topicFilterType: 'SINGLE_TAG',
        topicSysFlag: 0,
        order: false,
        attributes: { old: 'x' },
      },
    );
    expect(broker.requests[0].extFields).toEqual({
      topic: 't1',
      defaultTopic: 'TBW102',
      readQueueNums: '8',
      writeQueueNums: '8',
      perm: '6',
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: '0',
      order: 'true',
      attributes: '+message.type=FIFO,-old',
    });
  });

  it('remembers that a broker has no list requests', async () => {
    const broker = await startFakeServer((request) => respond(request, { code: request.code === 225 ? 3 : 0 }));
    servers.push(broker);
    admin = new RocketMQAdmin();
    const groups = [{ groupName: 'g1' }, { groupName: 'g2' }] as never[];
    expect(await admin.createOrUpdateSubscriptionGroups(broker.address, groups)).toEqual({ written: 2, requests: 3, mode: 'single' });
    expect(await admin.createOrUpdateSubscriptionGroups(broker.address, groups)).toEqual({ written: 2, requests: 2, mode: 'single' });
    expect(broker.requests.map((r) => r.code)).toEqual([225, 200, 200, 200, 200]);
    expect(JSON.parse(broker.requests[1].body!.toString())).toEqual({ groupName: 'g1' });
    expect(await admin.createOrUpdateSubscriptionGroups(broker.address, [])).toEqual({ written: 0, requests: 0, mode: 'none' });
  });

  it('leaves topics the broker holds unchanged out of a list request', async () => {
    const held = topicConfig('same', { readQueueNums: 8, writeQueueNums: 8 });
    const broker = await startFakeServer((request) => {
      if (request.code === RequestCode.GET_ALL_TOPIC_CONFIG)
        respond(request, { body: JSON.stringify({ topicConfigTable: { same: held } }) });
      else respond(request);
    });
    servers.push(broker);
    admin = new RocketMQAdmin();
    const result = await admin.createOrUpdateTopics(broker.address, [
      { topicName: 'same' },
      { topicName: 'new', attributes: { 'message.type': 'NORMAL' } },
    ]);
    expect(result).toEqual({ written: 1, requests: 1, mode: 'list' });
    const listRequest = broker.requests.find((r) => r.code === RequestCode.UPDATE_AND_CREATE_TOPIC_LIST);
    expect(JSON.parse(listRequest!.body!.toString())).toEqual({
      topicConfigList: [
        {
          topicName: 'new',
          readQueueNums: 8,
          writeQueueNums: 8,
          perm: 6,
          topicFilterType: 'SINGLE_TAG',
          topicSysFlag: 0,
          order: false,
          attributes: { '+message.type': 'NORMAL' },
        },
      ],
    });
  });
});
