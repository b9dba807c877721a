// `copy-metadata`: resolves broker names through the name servers, runs the copy, prints a summary.
import { RocketMQAdmin, masterOf } from '../rocketmq/admin.js';
import { listOption, numberOption, parseArgs, UsageError } from './cli-args.js';
import { copyMetadata, CopyMetadataError, type BrokerEndpoint } from './copy-metadata.js';
import { withRetry, type RetryPolicy } from './retry.js';

export const copyMetadataUsage = `usage: copy-metadata --namesrv <host:port;host:port>
         (--source-broker <brokerName> | --source-addr <host:port>)
         (--target-broker <brokerName>[,<brokerName>...] | --target-addr <host:port>[,<host:port>...])
         [--timeout-ms 5000] [--attempts 4] [--backoff-ms 250] [--batch-size 1000]`;

const OPTIONS = ['namesrv', 'source-broker', 'source-addr', 'target-broker', 'target-addr', 'timeout-ms', 'attempts', 'backoff-ms', 'batch-size'] as const;

export interface CommandIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

export async function copyMetadataCommand(argv: string[], io: CommandIo): Promise<number> {
  let admin: RocketMQAdmin | undefined;
  try {
    const args = parseArgs(argv, OPTIONS);
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional[0]}`);
    const sourceBroker = args.options.get('source-broker');
    const sourceAddr = args.options.get('source-addr');
    const targetBrokers = listOption(args, 'target-broker');
    const targetAddrs = listOption(args, 'target-addr');
    if (!sourceBroker && !sourceAddr) throw new UsageError('give --source-broker or --source-addr');
    if (targetBrokers.length === 0 && targetAddrs.length === 0) throw new UsageError('give --target-broker or --target-addr');
    const nameServers = args.options.get('namesrv');
    if (!nameServers && (!sourceAddr || targetBrokers.length > 0)) throw new UsageError('--namesrv is needed to find brokers by name');
    const retry: RetryPolicy = { attempts: numberOption(args, 'attempts', 4), backoffMs: numberOption(args, 'backoff-ms', 250, 0) };
    admin = new RocketMQAdmin({ nameServers, timeoutMs: numberOption(args, 'timeout-ms', 5000) });

    const names = new Set<string>();
    let masters = new Map<string, string>();
    if (nameServers) {
      const info = await withRetry(() => admin!.clusterInfo(), retry).catch((error: Error) => {
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
    const source: BrokerEndpoint = sourceAddr ? { address: sourceAddr, brokerName: sourceBroker } : resolve(sourceBroker!, 'source');
    const targets: BrokerEndpoint[] = [...targetBrokers.map((name) => resolve(name, 'target')), ...targetAddrs.map((address) => ({ address }))];

    const summary = await copyMetadata(admin, {
      source,
      targets,
      retry,
      batchSize: numberOption(args, 'batch-size', 1000),
      clusterAndBrokerNames: names,
    });
    io.stdout(JSON.stringify(summary));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`copy-metadata: ${error.message}\n${copyMetadataUsage}`);
      return 2;
    }
    io.stderr(`copy-metadata: ${(error as Error).message}`);
    if (error instanceof CopyMetadataError && error.summary?.targets?.length) io.stdout(JSON.stringify(error.summary));
    return 1;
  } finally {
    admin?.close();
  }
}
