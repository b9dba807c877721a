// Finding brokers by the names a TopicTransfer uses, and saying which broker failed.
import { masterOf } from '../../rocketmq/admin.js';
import { RemotingConnectionError, RemotingTimeoutError } from '../../rocketmq/errors.js';
import type { ClusterInfo } from '../../rocketmq/types.js';
import type { TransferBroker } from '../../topictransfer/state.js';

/** A broker group with the address its master has right now. */
export interface LiveBroker extends TransferBroker {
  address: string;
}

export function describeClusters(info: ClusterInfo): string {
  const clusters = [...info.clusters.keys()].sort().join(', ') || 'none';
  const brokers = [...info.brokers.keys()].sort().join(', ') || 'none';
  return `clusters: ${clusters}; brokers: ${brokers}`;
}

function clusterOf(info: ClusterInfo, brokerName: string): string {
  const named = info.brokers.get(brokerName)?.cluster;
  if (named) return named;
  return [...info.clusters].find(([, members]) => members.includes(brokerName))?.[0] ?? '';
}

/**
 * The brokers a spec value names: every broker group of a cluster of that name, else the one broker
 * group of that name. Only masters take writes, so each must have one.
 */
export function resolveBrokers(info: ClusterInfo, value: string, side: 'source' | 'target'): LiveBroker[] {
  const names = info.clusters.get(value) ?? (info.brokers.has(value) ? [value] : undefined);
  if (!names || names.length === 0) {
    throw new Error(
      `${side} "${value}" is neither a broker cluster nor a broker registered on the name servers (${describeClusters(info)})`,
    );
  }
  const withoutMaster = names.filter((name) => !masterOf(info.brokers.get(name) ?? { brokerAddrs: new Map() }));
  if (withoutMaster.length > 0) throw new Error(`${side} "${value}": no master registered for ${withoutMaster.join(', ')}`);
  return names.map((brokerName) => ({
    brokerName,
    clusterName: clusterOf(info, brokerName),
    address: masterOf(info.brokers.get(brokerName)!)!,
  }));
}

/** Where the saved brokers' masters are now (pods move; a resumed runner must not use old addresses). */
export function locate(info: ClusterInfo, brokers: TransferBroker[]): LiveBroker[] {
  return brokers.map((broker) => {
    const data = info.brokers.get(broker.brokerName);
    const address = data && masterOf(data);
    if (!address) throw new Error(`broker ${broker.brokerName} has no master registered on the name servers (${describeClusters(info)})`);
    return { ...broker, address };
  });
}

/** Runs `action` against one broker, naming the broker in any error. */
export async function onBroker<T>(broker: LiveBroker, what: string, action: (address: string) => Promise<T>): Promise<T> {
  try {
    return await action(broker.address);
  } catch (error) {
    const message = (error as Error).message;
    const unreachable = error instanceof RemotingConnectionError || error instanceof RemotingTimeoutError;
    throw new Error(`${what} on broker ${broker.brokerName} failed: ${unreachable ? `unreachable (${message})` : message}`, {
      cause: error,
    });
  }
}
