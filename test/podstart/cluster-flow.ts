// One pod-start scenario, run for each image: a NameService of 2 and a Broker of one group with a
// replica, from the rendered pods, through start, registration, probes, JVM flags, a kubelet-style
// termination and a restart on the same volumes.
import { jest } from '@jest/globals';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { PodCluster } from './support/cluster.js';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardMetricNames } from '../support/dashboard.js';
import { javaClients } from '../support/rocketmq.js';
import { runGrpcClient } from '../support/rocketmq-proxy.js';
import { abortMarker, brokerIdentity, createTopic, lastFlag, renderedBrokerConf, scrapeMetrics, waitRegistered } from './support/checks.js';
import type { ImageFlavor } from './support/image.js';
import { commandLine, processUid } from './support/pod.js';
import { clusterManifests } from './manifests.js';
import { imageFlavor } from '../../hooks/rocketmq-pods/image.js';

const NAME_SERVERS = ['names-0', 'names-1'];
const BROKERS = ['broker-0-master-0', 'broker-0-replica-1-0'];
const PROXIES = ['proxy-0'];
const TOPIC = 'PodStartTopic';
/** What the user adds in the NameService's JAVA_OPT_EXT: it comes after the operator's sizing. */
const USER_JAVA_OPT_EXT = '-Xmn128m -Dpodstart.user=1';
/** Created by the broker on first send (autoCreateTopicEnable). */
const METRICS_TOPIC = 'PodStartMetrics';
const DURABLE_TOPIC = 'PodStartDurable';

/** The end offset of each queue of a topic, by `<broker name>/<queue id>`, as the brokers report them. */
async function queueEnds(nameServer: string, topic: string): Promise<Map<string, number>> {
  const admin = new RocketMQAdmin({ nameServers: nameServer, timeoutMs: 5000 });
  try {
    const stats = await admin.topicStats(topic);
    return new Map(stats.queues.map((q) => [`${q.brokerName}/${q.queueId}`, q.maxOffset]));
  } finally {
    admin.close();
  }
}

export interface Figures {
  readyMs: Record<string, number>;
  shutdownMs?: number;
  restartReadyMs?: number;
  /** Sending and pulling the messages the metrics check counts. */
  trafficMs?: number;
}

/** The images a scenario runs: one for both kinds (the official images), or one each (the original operator's). */
export interface ScenarioImages {
  nameServer: ImageFlavor;
  broker: ImageFlavor;
}

export interface ScenarioOptions {
  readOnlyRootFilesystem: boolean;
  /** A Proxy in front of the brokers (RocketMQ 5 images). */
  proxy?: boolean;
}

export function podStartScenario(images: ScenarioImages, options: ScenarioOptions): void {
  jest.setTimeout(180_000);
  const figures: Figures = { readyMs: {} };
  let cluster: PodCluster;
  const flavorOf = (pod: string) => (NAME_SERVERS.includes(pod) ? images.nameServer : images.broker);
  const title = images.nameServer === images.broker ? images.broker.name : `${images.nameServer.name} and ${images.broker.name}`;
  // The original broker image's script sets direct memory itself; the operator sizes it for the others.
  const operatorSizesDirectMemory = imageFlavor(images.broker.name).brokerMemoryVariable === 'JAVA_OPT_EXT';

  beforeAll(async () => {
    const manifests = clusterManifests({
      nameServerImage: images.nameServer.name,
      brokerImage: images.broker.name,
      containerSecurityContext: options.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : undefined,
      nameServerEnv: [{ name: 'JAVA_OPT_EXT', value: USER_JAVA_OPT_EXT }],
      proxy: options.proxy,
    });
    cluster = await PodCluster.create(manifests, [...new Set([images.nameServer, images.broker])]);
    for (const pod of cluster.start(...NAME_SERVERS, ...BROKERS)) figures.readyMs[pod.name] = await pod.waitReady(90_000);
    if (options.proxy) {
      // A 5.3.3 proxy creates its system topics on the cluster as it starts, and exits when no broker
      // of the cluster has registered yet; the kubelet would start it again. This harness restarts no
      // pod, so it starts the proxies once every broker is registered.
      for (const broker of BROKERS.map((name) => cluster.pod(name))) {
        const conf = renderedBrokerConf(cluster, broker);
        for (const nameServer of NAME_SERVERS) await waitRegistered(cluster.pod(nameServer), broker, conf, 60_000);
      }
      for (const pod of cluster.start(...PROXIES)) figures.readyMs[pod.name] = await pod.waitReady(90_000);
    }
  });
  afterAll(async () => {
    console.log(`${title}${options.readOnlyRootFilesystem ? ', read-only root' : ''}: ${JSON.stringify(figures)}`);
    await cluster?.stop();
  });

  it('renders a read-only root filesystem when asked', () => {
    for (const pod of cluster.pods.values()) {
      expect(pod.container.securityContext?.readOnlyRootFilesystem === true).toBe(options.readOnlyRootFilesystem);
    }
  });

  it('registers each broker on every name server under its rendered cluster, name and id', async () => {
    for (const name of BROKERS) {
      const broker = cluster.pod(name);
      const conf = renderedBrokerConf(cluster, broker);
      for (const nameServer of NAME_SERVERS) await waitRegistered(cluster.pod(nameServer), broker, conf, 60_000);
      expect(await brokerIdentity(broker)).toEqual({
        brokerClusterName: conf.brokerClusterName,
        brokerName: conf.brokerName,
        brokerId: conf.brokerId,
        brokerRole: conf.brokerRole,
        brokerIP1: broker.address,
        version: expect.stringContaining(images.broker.version.replace(/\./g, '_')),
      });
    }
  });

  it("runs the JVMs as the image's user, sized from the 1Gi limit, with the user JAVA_OPT_EXT after the sizing", async () => {
    for (const pod of cluster.pods.values()) {
      const java = await pod.javaPid();
      const args = commandLine(java);
      expect(processUid(java)).toBe(flavorOf(pod.name).user);
      expect([lastFlag(args, '-Xms'), lastFlag(args, '-Xmx')]).toEqual(['512m', '512m']);
      if (NAME_SERVERS.includes(pod.name)) {
        expect(args).toContain('org.apache.rocketmq.namesrv.NamesrvStartup');
        expect(lastFlag(args, '-Xmn')).toBe('128m');
        expect(args).toContain('-Dpodstart.user=1');
      } else if (PROXIES.includes(pod.name)) {
        expect(args).toContain('org.apache.rocketmq.proxy.ProxyStartup');
        expect(lastFlag(args, '-XX:MaxDirectMemorySize=')).toBe('256m');
      } else {
        expect(args).toContain('org.apache.rocketmq.broker.BrokerStartup');
        expect(lastFlag(args, '-Xmn')).toBe('256m');
        if (operatorSizesDirectMemory) expect(lastFlag(args, '-XX:MaxDirectMemorySize=')).toBe('256m');
      }
    }
  });

  it('passes the rendered readiness and liveness probes', async () => {
    for (const pod of cluster.pods.values()) {
      expect(await pod.probe(pod.container.readinessProbe)).toBe(true);
      if (pod.container.livenessProbe) expect(await pod.probe(pod.container.livenessProbe)).toBe(true);
    }
  });

  if (options.proxy) {
    it('serves a RocketMQ 5 gRPC client through the proxy pod on its rendered gRPC port', async () => {
      const master = cluster.pod('broker-0-master-0');
      await createTopic(master, cluster.pod(NAME_SERVERS[0]), TOPIC);
      const proxy = cluster.pod(PROXIES[0]);
      const grpcPort = proxy.container.ports!.find((p) => p.name === 'grpc')!.containerPort;
      const result = await runGrpcClient(`${proxy.address}:${grpcPort}`, TOPIC, 'podstart-group', 3, cluster.dir);
      expect({ code: result.code, output: result.code === 0 ? '' : result.stdout + result.stderr.slice(-3000) }).toEqual({
        code: 0,
        output: '',
      });
      expect(result.sent).toHaveLength(3);
      expect(new Set(result.received)).toEqual(new Set(result.sent));
    });
  }

  it('serves broker metrics in Prometheus text on the rendered port, every name the dashboard reads among them once messages flow', async () => {
    const master = cluster.pod('broker-0-master-0');
    const port = master.container.ports?.find((p) => p.name === 'metrics')?.containerPort;
    if (Number(images.broker.version.split('.')[0]) < 5) {
      expect(port).toBeUndefined();
      return;
    }
    expect(port).toBe(5557);
    const idle = await scrapeMetrics(master, port!);
    expect(idle.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    // Also on the pod's loopback, where kubectl port-forward connects.
    expect(await master.exec(['curl', '-sf', '-o', '/dev/null', `http://127.0.0.1:${port}/metrics`], 10_000)).toBe(0);
    // Gauges have a series from the start.
    expect([...idle.names]).toEqual(
      expect.arrayContaining(['rocketmq_topic_number', 'rocketmq_storage_size_bytes', 'rocketmq_broker_permission']),
    );

    // Counters of messages in and out have series only once a message was sent and pulled.
    const started = Date.now();
    const clients = javaClients(
      images.broker.version,
      master.image.lib,
      mkdtempSync(join(cluster.dir, 'clients-')),
      `${cluster.pod('names-0').address}:9876`,
    );
    expect(await clients.produce(METRICS_TOPIC, 4)).toHaveLength(4);
    const consumed = await clients.mqadmin(['consumeMessage', '-t', METRICS_TOPIC, '-c', '4']);
    expect(consumed.code).toBe(0);
    figures.trafficMs = Date.now() - started;
    const busy = await scrapeMetrics(master, port!);
    expect(dashboardMetricNames().broker.filter((name) => !busy.names.has(name))).toEqual([]);
    // The dashboard's variables select by these labels.
    const conf = renderedBrokerConf(cluster, master);
    expect(busy.text).toMatch(
      new RegExp(`^rocketmq_messages_in_total\\{[^}]*cluster="${conf.brokerClusterName}"[^}]*node_id="${conf.brokerName}"`, 'm'),
    );
  });

  it('shuts the master down cleanly within the grace period and starts it again on the same volumes, with every acknowledged message', async () => {
    const master = cluster.pod('broker-0-master-0');
    const nameServer = `${cluster.pod(NAME_SERVERS[0]).address}:9876`;
    const clients = javaClients(images.broker.version, master.image.lib, mkdtempSync(join(cluster.dir, 'clients-')), nameServer);
    const acknowledged = await clients.produce(DURABLE_TOPIC, 20);
    expect(acknowledged).toHaveLength(20);
    expect(abortMarker(master)).toBe(true);
    const stopped = await master.terminate();
    figures.shutdownMs = stopped.totalMs;
    expect(stopped.killed).toBe(false);
    expect(abortMarker(master)).toBe(false);
    cluster.start(master.name);
    figures.restartReadyMs = await master.waitReady(90_000);
    const conf = renderedBrokerConf(cluster, master);
    for (const nameServer of NAME_SERVERS) await waitRegistered(cluster.pod(nameServer), master, conf, 60_000);
    // Each acknowledged message is still in its queue: the queue's end lies past the offset it was given.
    const ends = await queueEnds(nameServer, DURABLE_TOPIC);
    expect(acknowledged.filter((m) => !((ends.get(`${m.brokerName}/${m.queueId}`) ?? 0) > m.queueOffset))).toEqual([]);
  });

  it('stops name servers, the replica and proxies within the grace period', async () => {
    const others = [...NAME_SERVERS, 'broker-0-replica-1-0', ...(options.proxy ? PROXIES : [])];
    const results = await Promise.all(others.map((name) => cluster.pod(name).terminate()));
    for (const result of results) expect(result.killed).toBe(false);
    expect(abortMarker(cluster.pod('broker-0-replica-1-0'))).toBe(false);
  });
}
