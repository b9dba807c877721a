// What the pod-start tests read back from running pods: registrations, broker identity, JVM flags.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { imageFlavor } from '../../../hooks/rocketmq-pods/image.js';
import { RocketMQAdmin } from '../../../hooks/rocketmq/admin.js';
import { parseConfigLines } from '../../../hooks/rocketmq/properties.js';
import type { PodCluster } from './cluster.js';
import { sleep, type Pod } from './pod.js';

/** The value of the last occurrence of a JVM flag (the one the JVM uses), e.g. lastFlag(args, '-Xmx'). */
export function lastFlag(args: string[], prefix: string): string | undefined {
  return args
    .filter((a) => a.startsWith(prefix))
    .at(-1)
    ?.slice(prefix.length);
}

/** The broker.conf the pod mounts where its image reads it, from the rendered ConfigMap. */
export function renderedBrokerConf(cluster: PodCluster, pod: Pod): Record<string, string> {
  const path = imageFlavor(pod.container.image!).brokerConfigPath;
  const mount = pod.container.volumeMounts!.find((m) => m.mountPath === path)!;
  const volume = pod.definition.spec.volumes!.find((v) => v.name === mount.name)!;
  const configMap = cluster.rendered.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap!.name,
  ) as unknown as V1ConfigMap;
  return parseConfigLines(configMap.data![mount.subPath!]);
}

/** Waits until the name server lists the broker at the pod's address under the rendered cluster, name and id. */
export async function waitRegistered(nameServer: Pod, broker: Pod, conf: Record<string, string>, timeoutMs: number): Promise<void> {
  const admin = new RocketMQAdmin({ nameServers: `${nameServer.address}:9876`, timeoutMs: 3000 });
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  try {
    while (Date.now() < deadline) {
      const info = await admin.clusterInfo().catch((e: Error) => e);
      if (!(info instanceof Error)) {
        const data = info.brokers.get(conf.brokerName);
        seen = JSON.stringify({ clusters: [...info.clusters], addrs: data && [...data.brokerAddrs] });
        const listed = info.clusters.get(conf.brokerClusterName)?.includes(conf.brokerName) === true;
        if (listed && data?.cluster === conf.brokerClusterName && data.brokerAddrs.get(Number(conf.brokerId)) === `${broker.address}:10911`)
          return;
      }
      await sleep(500);
    }
  } finally {
    admin.close();
  }
  throw new Error(`${broker.name} not registered on ${nameServer.name} as ${JSON.stringify(conf)}; it has ${seen}`);
}

/**
 * The broker's runtime info. A 4.9 broker answers it with an error (NoSuchElementException from an
 * empty list of store statistics) until its first statistics sample, a moment after it starts.
 */
async function runtimeInfo(admin: RocketMQAdmin, address: string): Promise<Record<string, string>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.brokerRuntimeInfo(address);
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(500);
    }
  }
}

/** The broker's own view of its identity, asked over the remoting protocol. */
export async function brokerIdentity(broker: Pod): Promise<Record<string, string>> {
  const admin = new RocketMQAdmin({ timeoutMs: 5000 });
  try {
    const config = await admin.brokerConfig(`${broker.address}:10911`);
    const runtime = await runtimeInfo(admin, `${broker.address}:10911`);
    return {
      brokerClusterName: config.brokerClusterName,
      brokerName: config.brokerName,
      brokerId: config.brokerId,
      brokerRole: config.brokerRole,
      brokerIP1: config.brokerIP1,
      version: runtime.brokerVersionDesc,
    };
  } finally {
    admin.close();
  }
}

/** RocketMQ's marker of a store in use: created at start, deleted by a clean shutdown. */
export function abortMarker(broker: Pod): boolean {
  const store = broker.container.volumeMounts!.find((m) => m.mountPath.endsWith('/store'))!;
  return existsSync(join(broker.volumePath(store.name), store.subPath ?? '', 'abort'));
}

/** Creates a topic on the broker and waits until the name server has its route. */
export async function createTopic(broker: Pod, nameServer: Pod, topic: string): Promise<void> {
  const admin = new RocketMQAdmin({ nameServers: `${nameServer.address}:9876`, timeoutMs: 5000 });
  try {
    await admin.createOrUpdateTopic(`${broker.address}:10911`, { topicName: topic, readQueueNums: 4, writeQueueNums: 4 });
    for (let tries = 0; !(await admin.topicRoute(topic).catch(() => undefined)); tries++) {
      if (tries > 100) throw new Error(`${topic} never reached the name server at ${nameServer.address}`);
      await sleep(200);
    }
  } finally {
    admin.close();
  }
}

export interface Scrape {
  contentType: string;
  text: string;
  /** The names of the samples served (histograms as their _bucket, _sum and _count series). */
  names: Set<string>;
}

/** GET /metrics of a pod's exporter, as Prometheus scrapes it. */
export async function scrapeMetrics(pod: Pod, port: number): Promise<Scrape> {
  const response = await fetch(`http://${pod.address}:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${pod.name}: GET /metrics answered ${response.status}`);
  const text = await response.text();
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line)?.[1];
    if (name) names.add(name);
  }
  return { contentType: response.headers.get('content-type') ?? '', text, names };
}
