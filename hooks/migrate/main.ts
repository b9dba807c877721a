// rocketmq-operator migrate -n <namespace> [--apply] [--replace-name-servers] ...: moves the objects the
// original operator created in a namespace under this operator. Without --apply it prints the steps.
import { KubeConfig } from '@kubernetes/client-node';
import { Cluster } from './cluster.js';
import { Performer } from './perform.js';
import { MigrationError, planMigration } from './plan.js';

export const MIGRATE_USAGE =
  'usage: rocketmq-operator migrate -n <namespace> [--apply] [--replace-name-servers] [--old-operator-namespace <namespace>] [--timeout <seconds>] [--broker-reload-seconds <seconds>]';

interface MigrateArgs {
  namespace: string;
  apply: boolean;
  replaceNameServers: boolean;
  oldOperatorNamespace: string;
  timeoutSeconds: number;
  brokerReloadSeconds: number;
}

/** The arguments, or undefined when they do not fit the usage. */
export function parseMigrateArgs(args: string[]): MigrateArgs | undefined {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--apply' || arg === '--replace-name-servers') flags.add(arg);
    else if (['-n', '--namespace', '--old-operator-namespace', '--timeout', '--broker-reload-seconds'].includes(arg) && i + 1 < args.length)
      values.set(arg, args[++i]);
    else return undefined;
  }
  const namespace = values.get('-n') ?? values.get('--namespace');
  const timeoutSeconds = Number(values.get('--timeout') ?? 600);
  // RocketMQ brokers re-read a name-server list sent to them every 2 minutes, then register within 30 s.
  const brokerReloadSeconds = Number(values.get('--broker-reload-seconds') ?? 150);
  if (!namespace || !Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) return undefined;
  if (!Number.isInteger(brokerReloadSeconds) || brokerReloadSeconds < 0 || brokerReloadSeconds > 3600) return undefined;
  return {
    namespace,
    apply: flags.has('--apply'),
    replaceNameServers: flags.has('--replace-name-servers'),
    oldOperatorNamespace: values.get('--old-operator-namespace') ?? namespace,
    timeoutSeconds,
    brokerReloadSeconds,
  };
}

export async function runMigrate(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const parsed = parseMigrateArgs(args);
  if (!parsed) {
    err(MIGRATE_USAGE);
    return 2;
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const cluster = new Cluster(kubeConfig, parsed.namespace);
  try {
    if (!(await cluster.operatorInstalled())) {
      throw new MigrationError(
        'this operator is not installed (no CompositeController rocketmq-nameservice): install it first (README "Install"), then run migrate again',
      );
    }
    const steps = planMigration(await cluster.inventory(parsed.oldOperatorNamespace), parsed);
    if (steps.length === 0) out(`nothing to do in namespace ${parsed.namespace}`);
    const performer = new Performer(cluster, { timeoutMs: parsed.timeoutSeconds * 1000, pollMs: 1000 });
    for (const [index, step] of steps.entries()) {
      out(`${index + 1}. ${step.description}`);
      if (parsed.apply) out(`   ${await performer.perform(step.action)}`);
    }
    if (!parsed.apply && steps.length > 0) out('(nothing was changed: run again with --apply to perform these steps)');
    return 0;
  } catch (error) {
    err(`error: ${(error as Error).message}`);
    return 1;
  }
}
