// `copy-metadata`: resolves broker names through the name servers, runs the copy, prints a summary.
import type { CopyMetadataCommand } from '../jobs/runner-command.js';
import { RocketMQAdmin, masterOf } from '../rocketmq/admin.js';
import { credentialsFromEnv } from './credentials.js';
import { copyMetadata, CopyMetadataError, type BrokerEndpoint } from './copy-metadata.js';
import type { CommandIo } from './io.js';
import { withRetry, type RetryPolicy } from './retry.js';

export async function copyMetadataCommand(command: CopyMetadataCommand, io: CommandIo): Promise<number> {
  const { nameServers, sourceBroker, sourceAddress } = command;
  const retry: RetryPolicy = { attempts: command.attempts ?? 4, backoffMs: command.backoffMs ?? 250 };
  const admin = new RocketMQAdmin({ nameServers, timeoutMs: command.timeoutMs ?? 5000, credentials: credentialsFromEnv() });
  try {
    const names = new Set<string>();
    let masters = new Map<string, string>();
    if (nameServers) {
      const info = await withRetry(() => admin.clusterInfo(), retry).catch((error: Error) => {
        throw new CopyMetadataError(`cannot read cluster info from name servers ${nameServers}: ${error.message}`);
      });
      for (const [clusterName, brokerNames] of info.clusters) [clusterName, ...brokerNames].forEach((n) => names.add(n));
      masters = new Map([...info.brokers].flatMap(([name, data]) => (masterOf(data) ? [[name, masterOf(data)!] as [string, string]] : [])));
    }
    const resolve = (brokerName: string, role: string): BrokerEndpoint => {
      const address = masters.get(brokerName);
      if (!address) {
        throw new CopyMetadataError(
          `${role} broker ${brokerName} has no master registered on name servers ${nameServers} (known: ${[...masters.keys()].sort().join(', ') || 'none'})`,
        );
      }
      return { brokerName, address };
    };
    const source: BrokerEndpoint = sourceAddress ? { address: sourceAddress, brokerName: sourceBroker } : resolve(sourceBroker!, 'source');
    const targets: BrokerEndpoint[] = [
      ...command.targetBrokers.map((name) => resolve(name, 'target')),
      ...command.targetAddresses.map((address) => ({ address })),
    ];

    const summary = await copyMetadata(admin, {
      source,
      targets,
      retry,
      batchSize: command.batchSize ?? 1000,
      clusterAndBrokerNames: names,
    });
    io.stdout(JSON.stringify(summary));
    return 0;
  } catch (error) {
    io.stderr(`copy-metadata: ${(error as Error).message}`);
    if (error instanceof CopyMetadataError && error.summary?.targets?.length) io.stdout(JSON.stringify(error.summary));
    return 1;
  } finally {
    admin.close();
  }
}
