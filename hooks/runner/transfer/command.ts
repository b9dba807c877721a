// `topic-transfer`: the arguments the TopicTransfer hook renders into its Job, wired to the real
// name servers, the TopicTransfer object as the record's store, and the wall clock.
import { KubeConfig } from '@kubernetes/client-node';
import { RocketMQAdmin } from '../../rocketmq/admin.js';
import { mayNeedRollback } from '../../topictransfer/state.js';
import { numberOption, parseArgs, UsageError } from '../cli-args.js';
import type { CommandIo } from '../copy-metadata-command.js';
import { remotingTransferAdmin } from './admin.js';
import { kubernetesTransferStore } from './kube-store.js';
import { runTransfer, type TransferRun } from './machine.js';

export const topicTransferUsage = `usage: topic-transfer --mode=transfer|rollback --name=<TopicTransfer> --namespace=<namespace>
         --namesrv=<host:port;host:port> --topic=<topic> --source=<cluster or broker> --target=<cluster or broker>
         --consume-timeout-seconds=<seconds>`;

const OPTIONS = ['mode', 'name', 'namespace', 'namesrv', 'topic', 'source', 'target', 'consume-timeout-seconds'] as const;

export interface TransferArgs extends TransferRun {
  name: string;
  namespace: string;
  nameServers: string;
}

export function parseTransferArgs(argv: string[]): TransferArgs {
  const args = parseArgs(argv, OPTIONS);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional[0]}`);
  const missing = OPTIONS.filter((name) => !args.options.get(name));
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((name) => `--${name}`).join(', ')}`);
  const mode = args.options.get('mode');
  if (mode !== 'transfer' && mode !== 'rollback') throw new UsageError(`--mode must be transfer or rollback, got ${JSON.stringify(mode)}`);
  const get = (name: (typeof OPTIONS)[number]) => args.options.get(name)!;
  return {
    mode,
    name: get('name'),
    namespace: get('namespace'),
    nameServers: get('namesrv'),
    topic: get('topic'),
    source: get('source'),
    target: get('target'),
    consumeTimeoutSeconds: numberOption(args, 'consume-timeout-seconds', 600),
  };
}

/**
 * Exit status 0 once the transfer or its rollback is finished (or there was nothing to roll back);
 * otherwise non-zero, so the Job starts a new pod, which resumes from the record.
 */
export async function topicTransferCommand(argv: string[], io: CommandIo): Promise<number> {
  let args: TransferArgs;
  try {
    args = parseTransferArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${error.message}\n${topicTransferUsage}`);
    return 2;
  }
  const log = (line: string) => io.stdout(`${new Date().toISOString()} ${args.namespace}/${args.name}: ${line}`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const admin = new RocketMQAdmin({ nameServers: args.nameServers });
  try {
    const state = await runTransfer(
      {
        admin: remotingTransferAdmin(admin),
        store: kubernetesTransferStore(kubeConfig, args.namespace, args.name),
        clock: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        log,
      },
      args,
    );
    log(`phase ${state?.phase ?? 'none'}: ${state?.message ?? 'nothing recorded'}`);
    const finished = state?.phase === 'Succeeded' || state?.phase === 'RolledBack' || (args.mode === 'rollback' && !mayNeedRollback(state));
    return finished ? 0 : 1;
  } catch (error) {
    // A lost compare-and-swap or a failed write of the record: stop here; the record says where to go on.
    log(`stopping: ${(error as Error).message}`);
    return 1;
  } finally {
    admin.close();
  }
}
