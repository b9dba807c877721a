// A Proxy in front of a cluster with spec.acl, run for real: a 5.3.3 broker as acl.it.test.ts runs
// it, and ProxyStartup from the rmq-proxy.json the Proxy hook renders, with the account added by the
// rendered start command's steps (run by a real shell). Clients must sign to be served, over gRPC
// and over remoting; the proxy itself asks the broker for users with the account. Consuming is
// shown as it is in 5.3.3: remoting pulls through the proxy get the messages, gRPC consumers none.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proxyHooks } from '../../hooks/proxy/hooks.js';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { RemotingClient } from '../../hooks/rocketmq/client.js';
import { RemotingResponseError } from '../../hooks/rocketmq/errors.js';
import type { Credentials } from '../../hooks/rocketmq/signature.js';
import { PROXY_AUTH_SETTINGS } from '../../hooks/rocketmq-pods/acl.js';
import { PROXY_CONFIG_DIR, PROXY_CONFIG_FILE } from '../../hooks/rocketmq-pods/image.js';
import { aclBroker, renderedBroker, runAsPod, runBrokerStartSteps } from '../support/acl.js';
import { customResource, syncRequest } from '../support/hook-requests.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { startProxy, type TestProxy } from '../support/rocketmq-proxy.js';

const IMAGE = 'apache/rocketmq:5.3.3';
const TOPIC = 'AclProxyTopic';
const BROKER = 'acl-0';
const COUNT = 3;

/** Remoting codes of consuming, which the operator itself never sends. */
const PULL_MESSAGE = 11;
const POP_MESSAGE = 200050;
const POLLING_TIMEOUT = 210;
/** PullSysFlag's "the request carries its subscription": no registered consumer needed. */
const WITH_SUBSCRIPTION = 4;

/**
 * A pop of every queue of TOPIC from its first message, as `group`, sent to a broker; `bornTime` 0
 * is what the 5.3.3 proxy sends on for a gRPC receive.
 */
function pop(client: RemotingClient, broker: string, group: string, bornTime: number) {
  const header = { consumerGroup: group, topic: TOPIC, queueId: -1, maxMsgNums: 32, invisibleTime: 60_000, pollTime: 1000 };
  return client.call(broker, POP_MESSAGE, {
    extFields: { ...header, bornTime, initMode: 0, expType: 'TAG', exp: '*' },
    accept: [POLLING_TIMEOUT],
  });
}

/** The messages of both queues of TOPIC from the first, pulled as a remoting consumer does through a proxy (`bname` routes it). */
async function pullAll(client: RemotingClient, proxy: string, group: string): Promise<string> {
  const bodies = [];
  for (const queueId of [0, 1]) {
    const header = { consumerGroup: group, topic: TOPIC, queueId, queueOffset: 0, maxMsgNums: 32, sysFlag: WITH_SUBSCRIPTION };
    const reply = await client.call(proxy, PULL_MESSAGE, {
      extFields: {
        ...header,
        commitOffset: 0,
        suspendTimeoutMillis: 0,
        subscription: '*',
        subVersion: 0,
        expressionType: 'TAG',
        bname: BROKER,
      },
    });
    bodies.push(reply.body?.toString('latin1') ?? '');
  }
  return bodies.join('');
}

/** The Proxy hook's rmq-proxy.json and start command for a Proxy in front of the Broker "acl". */
function renderedProxy(): { configText: string; command: string } {
  const request = syncRequest(customResource('Proxy', 'proxy', { size: 1, proxyImage: IMAGE }), {
    related: [customResource('NameService', 'name-service', { size: 1 }), aclBroker(IMAGE)],
  });
  const children = proxyHooks.sync(request, new Date()).children as any[];
  return {
    configText: children.find((c) => c.kind === 'ConfigMap').data[PROXY_CONFIG_FILE],
    command: children.find((c) => c.kind === 'Deployment').spec.template.spec.containers[0].command[2],
  };
}

/** Runs the rendered command's steps with the mounted files in a temporary directory; returns the file the proxy starts from. */
function proxyStartFile(configText: string, command: string, account: Credentials): string {
  const match = /^(.*) && exec sh "\$ROCKETMQ_HOME\/bin\/mqproxy" -pc (\S+)$/.exec(command);
  if (!match) throw new Error(`unexpected proxy command: ${command}`);
  const [, steps, startFile] = match;
  const dir = mkdtempSync(join(tmpdir(), 'proxy-acl-'));
  try {
    writeFileSync(join(dir, 'mounted.json'), configText);
    const script = steps
      .replaceAll(`${PROXY_CONFIG_DIR}/${PROXY_CONFIG_FILE}`, join(dir, 'mounted.json'))
      .replaceAll(startFile, join(dir, 'start.json'));
    const result = runAsPod(script, account);
    if (result.status !== 0) throw new Error(`proxy start steps failed: ${result.stderr}`);
    return readFileSync(join(dir, 'start.json'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function newAccount(): Credentials {
  return { accessKey: `admin-${randomBytes(4).toString('hex')}`, secretKey: `pr"xy\\${randomBytes(8).toString('hex')}` };
}

interface AclProxy {
  rocketmq: TestRocketMQ;
  proxy: TestProxy;
  /** The proxy's start-time copy of rmq-proxy.json. */
  startText: string;
}

/**
 * A name server and the broker a Broker with spec.acl renders for `brokerImage` (run from the jars
 * of `version`) with TOPIC, and the rendered proxy in front of them, all with `account`.
 */
async function startAclProxy(version: string, brokerImage: string, account: Credentials): Promise<AclProxy> {
  const broker = renderedBroker(brokerImage);
  const rocketmq = await startRocketMQ({
    version,
    names: [{ clusterName: 'acl', brokerName: BROKER }],
    brokerProperties: broker.properties,
    credentials: account,
    prepareBroker: (b, root) => runBrokerStartSteps(broker.command, b, root, account),
  });
  const admin = new RocketMQAdmin({ nameServers: rocketmq.nameServer, timeoutMs: 3000, credentials: account });
  try {
    await admin.createOrUpdateTopic(rocketmq.broker(BROKER).address, { topicName: TOPIC, readQueueNums: 2, writeQueueNums: 2 });
    for (let tries = 0; !(await admin.topicRoute(TOPIC).catch(() => undefined)); tries++) {
      if (tries > 100) throw new Error(`${TOPIC} never reached the name server`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { configText, command } = renderedProxy();
    const startText = proxyStartFile(configText, command, account);
    return { rocketmq, proxy: await startProxy(rocketmq, startText), startText };
  } catch (error) {
    await rocketmq.stop();
    throw error;
  } finally {
    admin.close();
  }
}

describeWithRocketMQ('a Proxy in front of a RocketMQ 5.3.3 cluster with acl', () => {
  const account = newAccount();
  const { configText } = renderedProxy();
  let startText: string;
  let rocketmq: TestRocketMQ;
  let proxy: TestProxy;

  beforeAll(async () => {
    ({ rocketmq, proxy, startText } = await startAclProxy('5.3.3', IMAGE, account));
  }, 240_000);

  afterAll(async () => {
    await proxy?.stop();
    await rocketmq?.stop();
  });

  it('starts from the rendered settings plus the account, which only the start-time copy holds', () => {
    expect(JSON.parse(configText)).toMatchObject(PROXY_AUTH_SETTINGS);
    expect(configText).not.toContain('innerClientAuthenticationCredentials');
    const { innerClientAuthenticationCredentials, ...rest } = JSON.parse(startText);
    expect(rest).toEqual(JSON.parse(configText));
    expect(JSON.parse(innerClientAuthenticationCredentials)).toEqual(account);
  });

  // The proxy authenticates the client with the user it reads from the broker, and the broker takes
  // the messages the proxy signs.
  it('takes messages from a gRPC client that signs with the account, and none from one that does not', async () => {
    const refused = await proxy.grpcClient(TOPIC, 'acl-proxy-group', 1, { sendOnly: true });
    expect(refused.code).not.toBe(0);
    expect(refused.sent).toEqual([]);
    const served = await proxy.grpcClient(TOPIC, 'acl-proxy-group', COUNT, { credentials: account, sendOnly: true });
    expect({ code: served.code, output: served.code === 0 ? '' : served.stdout + served.stderr.slice(-3000) }).toEqual({
      code: 0,
      output: '',
    });
    expect(served.sent).toHaveLength(COUNT);
  }, 150_000);

  it('hands the messages to remoting consumers signed with the account, unless a pop has no born time', async () => {
    const { sent } = await proxy.grpcClient(TOPIC, 'acl-pull-producer', COUNT, { credentials: account, sendOnly: true });
    expect(sent).toHaveLength(COUNT);
    // Each stored message carries its gRPC message id as a property.
    const missing = (body: string) => sent.filter((id) => !body.includes(id));
    const signed = new RemotingClient({ timeoutMs: 10_000, credentials: account });
    const anonymous = new RemotingClient({ timeoutMs: 10_000 });
    try {
      // The broker fills in a missing born time only after its authorization has read the request,
      // so a pop without one counts as born in 1970 and is answered at once with nothing.
      const broker = rocketmq.broker(BROKER).address;
      const unborn = await pop(signed, broker, 'acl-pop-unborn', 0);
      expect({ code: unborn.code, remark: unborn.remark }).toEqual({
        code: POLLING_TIMEOUT,
        remark: expect.stringContaining('timeout too much'),
      });
      const born = await pop(signed, broker, 'acl-pop-born', Date.now());
      expect({ code: born.code, missing: missing(born.body?.toString('latin1') ?? '') }).toEqual({ code: 0, missing: [] });
      expect(missing(await pullAll(signed, proxy.remoting, 'acl-pull-group'))).toEqual([]);
      await expect(pullAll(anonymous, proxy.remoting, 'acl-pull-group')).rejects.toBeInstanceOf(RemotingResponseError);
    } finally {
      signed.close();
      anonymous.close();
    }
  }, 60_000);

  // RocketMQ 5.3.3's proxy sends a gRPC receive on as a pop without a born time (see above), so a
  // gRPC consumer is served but gets no message while the brokers authorize requests.
  it('refuses a gRPC consumer without the account, and hands one with it no message', async () => {
    const refused = await proxy.grpcClient(TOPIC, 'acl-grpc-group', 0);
    expect({ code: refused.code, unauthorized: refused.stderr.includes('UnauthorizedException') }).toEqual({ code: 1, unauthorized: true });
    const served = await proxy.grpcClient(TOPIC, 'acl-grpc-group', COUNT, { credentials: account, receiveSeconds: 5 });
    // Exit code 1 without an exception: the consumer ran, and every receive came back empty.
    const failed = served.stderr.includes('Exception');
    expect({ code: served.code, failed, sent: served.sent.length, received: served.received }).toEqual({
      code: 1,
      failed: false,
      sent: COUNT,
      received: [],
    });
  }, 60_000);

  it('answers remoting requests only when signed with the account', async () => {
    for (const [credentials, served] of [
      [undefined, false],
      [{ ...account, secretKey: 'wrong-secret' }, false],
      [account, true],
    ] as const) {
      const viaProxy = new RocketMQAdmin({ nameServers: proxy.remoting, timeoutMs: 5000, credentials });
      try {
        const route = viaProxy.topicRoute(TOPIC);
        if (served) expect((await route).queueDatas.map((q) => q.brokerName)).toEqual([BROKER]);
        else await expect(route).rejects.toBeInstanceOf(RemotingResponseError);
      } finally {
        viaProxy.close();
      }
    }
  });
});

// A 5.4.0 broker fills a pop's missing born time in on the request its authorization has read, so
// the same 5.3.3 proxy serves gRPC consumers.
describeWithRocketMQ(
  'a 5.3.3 Proxy in front of a RocketMQ 5.4.0 broker with acl',
  () => {
    const account = newAccount();
    let cluster: AclProxy | undefined;

    beforeAll(async () => {
      cluster = await startAclProxy('5.4.0', 'apache/rocketmq:5.4.0', account);
    }, 240_000);

    afterAll(async () => {
      await cluster?.proxy.stop();
      await cluster?.rocketmq.stop();
    });

    it('hands a gRPC consumer that signs with the account every message sent, which it acks', async () => {
      const served = await cluster!.proxy.grpcClient(TOPIC, 'acl-grpc-group', COUNT, { credentials: account, receiveSeconds: 30 });
      expect({ code: served.code, output: served.code === 0 ? '' : served.stdout + served.stderr.slice(-3000) }).toEqual({
        code: 0,
        output: '',
      });
      expect(served.sent).toHaveLength(COUNT);
      expect([...served.received].sort()).toEqual([...served.sent].sort());
      expect([...served.receivedBodies].sort()).toEqual(Array.from({ length: COUNT }, (_, i) => `message ${i}`));
    }, 60_000);
  },
  '5.4.0',
);
