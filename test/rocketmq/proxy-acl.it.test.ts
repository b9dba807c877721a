// A Proxy in front of a cluster with spec.acl, run for real: a 5.3.3 broker as acl.it.test.ts runs
// it, and ProxyStartup from the rmq-proxy.json the Proxy hook renders, with the account added by the
// rendered start command's steps (run by a real shell). Clients must sign to be served, over gRPC
// and over remoting; the proxy itself asks the broker for users with the account.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proxyHooks } from '../../hooks/proxy/hooks.js';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
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

describeWithRocketMQ('a Proxy in front of a RocketMQ 5.3.3 cluster with acl', () => {
  const account: Credentials = {
    accessKey: `admin-${randomBytes(4).toString('hex')}`,
    secretKey: `pr"xy\\${randomBytes(8).toString('hex')}`,
  };
  const { configText, command } = renderedProxy();
  let startText: string;
  let rocketmq: TestRocketMQ;
  let proxy: TestProxy;

  beforeAll(async () => {
    const broker = renderedBroker(IMAGE);
    rocketmq = await startRocketMQ({
      names: [{ clusterName: 'acl', brokerName: 'acl-0' }],
      brokerProperties: broker.properties,
      credentials: account,
      prepareBroker: (b, root) => runBrokerStartSteps(broker.command, b, root, account),
    });
    const admin = new RocketMQAdmin({ nameServers: rocketmq.nameServer, timeoutMs: 3000, credentials: account });
    try {
      await admin.createOrUpdateTopic(rocketmq.broker('acl-0').address, { topicName: TOPIC, readQueueNums: 2, writeQueueNums: 2 });
      for (let tries = 0; !(await admin.topicRoute(TOPIC).catch(() => undefined)); tries++) {
        if (tries > 100) throw new Error(`${TOPIC} never reached the name server`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      admin.close();
    }
    startText = proxyStartFile(configText, command, account);
    proxy = await startProxy(rocketmq, startText);
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

  // Sending is what is checked here: the proxy authenticates the client with the user it reads from
  // the broker, and the broker takes the messages the proxy signs. (Receiving them back through this
  // proxy did not complete within the client's minute in this setup, so it is not asserted.)
  it('takes messages from a gRPC client that signs with the account, and none from one that does not', async () => {
    const refused = await proxy.grpcClient(TOPIC, 'acl-proxy-group', 1, { sendOnly: true });
    expect(refused.code).not.toBe(0);
    expect(refused.sent).toEqual([]);
    const served = await proxy.grpcClient(TOPIC, 'acl-proxy-group', 3, { credentials: account, sendOnly: true });
    expect({ code: served.code, output: served.code === 0 ? '' : served.stdout + served.stderr.slice(-3000) }).toEqual({
      code: 0,
      output: '',
    });
    expect(served.sent).toHaveLength(3);
  }, 150_000);

  it('answers remoting requests only when signed with the account', async () => {
    for (const [credentials, served] of [
      [undefined, false],
      [{ ...account, secretKey: 'wrong-secret' }, false],
      [account, true],
    ] as const) {
      const viaProxy = new RocketMQAdmin({ nameServers: proxy.remoting, timeoutMs: 5000, credentials });
      try {
        const route = viaProxy.topicRoute(TOPIC);
        if (served) expect((await route).queueDatas.map((q) => q.brokerName)).toEqual(['acl-0']);
        else await expect(route).rejects.toBeInstanceOf(RemotingResponseError);
      } finally {
        viaProxy.close();
      }
    }
  });
});
