// The proxy a Proxy resource renders, run for real: ProxyStartup from the rocketmq-proxy jars with
// exactly the rmq-proxy.json the hook renders (only the name server address and the two ports
// replaced by the test's loopback ones), in front of a real name server and broker of the cluster
// the Proxy serves. A RocketMQ 5 gRPC client sends and receives through port "8081"; remoting
// clients (ours and RocketMQ's Java producer) get routes and send through port "8080".
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { proxyHooks } from '../../hooks/proxy/hooks.js';
import { customResource, syncRequest } from '../support/hook-requests.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';
import { startProxy, type TestProxy } from '../support/rocketmq-proxy.js';

const CLUSTER = 'orders';
const TOPIC = 'ProxyTopic';

/** What the hook renders for a Proxy in front of the Broker "broker" (cluster "orders"). */
function renderedConfig(): string {
  const request = syncRequest(customResource('Proxy', 'proxy', { size: 2, config: { grpcClientProducerMaxAttempts: '5' } }, 'mq'), {
    related: [
      customResource('NameService', 'name-service', { size: 1 }, 'mq'),
      customResource('Broker', 'broker', { size: 1, properties: { brokerClusterName: CLUSTER } }, 'mq'),
    ],
  });
  const configMap = proxyHooks.sync(request, new Date()).children.find((c) => c.kind === 'ConfigMap') as unknown as {
    data: Record<string, string>;
  };
  return configMap.data['rmq-proxy.json'];
}

describeWithRocketMQ('a Proxy in front of a real RocketMQ 5.3.3', () => {
  let rocketmq: TestRocketMQ;
  let proxy: TestProxy;
  const rendered = renderedConfig();

  beforeAll(async () => {
    rocketmq = await startRocketMQ({ names: [{ clusterName: CLUSTER, brokerName: 'broker-0' }] });
    const admin = new RocketMQAdmin({ nameServers: rocketmq.nameServer, timeoutMs: 3000 });
    try {
      await admin.createOrUpdateTopic(rocketmq.broker('broker-0').address, { topicName: TOPIC, readQueueNums: 4, writeQueueNums: 4 });
      for (let tries = 0; !(await admin.topicRoute(TOPIC).catch(() => undefined)); tries++) {
        if (tries > 100) throw new Error(`${TOPIC} never reached the name server`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      admin.close();
    }
    proxy = await startProxy(rocketmq, rendered);
  }, 240_000);

  afterAll(async () => {
    await proxy?.stop();
    await rocketmq?.stop();
  });

  it('runs the rendered rmq-proxy.json with only the addresses replaced', () => {
    const file = JSON.parse(rendered);
    expect(file).toMatchObject({ rocketMQClusterName: CLUSTER, proxyMode: 'cluster', remotingListenPort: 8080, grpcServerPort: 8081 });
    const { namesrvAddr: _a, remotingListenPort: _r, grpcServerPort: _g, ...rest } = proxy.config;
    const { namesrvAddr: _b, remotingListenPort: _s, grpcServerPort: _h, ...renderedRest } = file;
    expect(rest).toEqual(renderedRest);
    console.log(`proxy listening ${proxy.startupMs} ms after its start`);
  });

  it('carries messages both ways for a RocketMQ 5 gRPC client', async () => {
    const result = await proxy.grpcClient(TOPIC, 'proxy-test-group', 5);
    // The client's output is shown when it fails.
    expect({ code: result.code, output: result.code === 0 ? '' : result.stdout + result.stderr.slice(-3000) }).toEqual({
      code: 0,
      output: '',
    });
    expect(result.sent).toHaveLength(5);
    expect(new Set(result.received)).toEqual(new Set(result.sent));
  }, 150_000);

  it('answers remoting clients: a route pointing back at the proxy, and a producer sending through it', async () => {
    const viaProxy = new RocketMQAdmin({ nameServers: proxy.remoting, timeoutMs: 5000 });
    try {
      const route = await viaProxy.topicRoute(TOPIC);
      expect(route.queueDatas.map((q) => q.brokerName)).toEqual(['broker-0']);
      const addresses = route.brokerDatas.flatMap((b) => [...b.brokerAddrs.values()]);
      expect(addresses.length).toBeGreaterThan(0);
      // Remoting clients then talk to the proxy, not to the broker behind it.
      for (const address of addresses) expect(address).toMatch(new RegExp(`:${proxy.remoting.split(':')[1]}$`));
    } finally {
      viaProxy.close();
    }
    const sent = await rocketmq.produce(TOPIC, 3, undefined, proxy.remoting);
    expect(sent).toHaveLength(3);
    expect(sent.every((m) => m.brokerName === 'broker-0')).toBe(true);
  }, 150_000);
});
