// The runner's command line: the one contract between the hooks that render runner Jobs and the
// runner that reads them. Hooks write a typed command with toArgs; the runner reads it back with
// parseArgs. Pure, so hooks import it without pulling in the runner's I/O.
//
// toArgs writes `--option=value` only: a value may be empty or start with `--` and still read back
// as itself. parseArgs also takes `--option value`, as people type it at a shell.

export interface CopyMetadataCommand {
  task: 'copy-metadata';
  /** "host:port;host:port"; needed to find a broker given by name. */
  nameServers?: string;
  /** The source by broker name (its master is looked up) or by address (a name given too is checked). */
  sourceBroker?: string;
  sourceAddress?: string;
  targetBrokers: string[];
  targetAddresses: string[];
  /** Tuning; the runner has defaults for each. */
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: number;
  batchSize?: number;
}

export interface TopicTransferCommand {
  /** `rollback` undoes whatever a transfer that did not finish changed. */
  task: 'transfer' | 'rollback';
  /** The TopicTransfer that holds the transfer's record. */
  name: string;
  namespace: string;
  nameServers: string;
  topic: string;
  /** A cluster name or a broker name. */
  source: string;
  target: string;
  consumeTimeoutSeconds: number;
}

export interface SetNameServersCommand {
  task: 'set-name-servers';
  /** The list every broker must hold: "host:port;host:port". */
  nameServers: string;
  /** Every broker to tell, by address (a broker pod's stable DNS name and port). */
  brokerAddresses: string[];
  /** Tuning; the runner has defaults for each. */
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: number;
}

export interface ObserveRolesCommand {
  task: 'observe-roles';
  /** Where the broker pods are, and the label selector ("k=v,k=v") that finds them. */
  namespace: string;
  podSelector: string;
  /** The RocketMQ cluster the brokers register with. */
  clusterName: string;
  /** A file holding the name-server list, read again every round so a new list takes effect. */
  nameServersFile: string;
  /** Tuning; the runner has defaults for each. */
  intervalMs?: number;
  timeoutMs?: number;
}

export interface HandOverCommand {
  task: 'hand-over';
  /** The controllers, "host:port;host:port"; or else controllersByDns. */
  controllers?: string;
  /** One "host:port" whose host resolves to every controller, looked up as brokers with fetchControllerAddrByDnsLookup do. */
  controllersByDns?: string;
  clusterName: string;
  brokerName: string;
  /** The master's host (its pod IP): once another broker is master there is nothing to do. */
  fromHost: string;
  /** Hosts (pod IPs) of the brokers that may take over, in order of preference. */
  toHosts: string[];
  /**
   * After the election, how long to wait for every alive broker of the group to be in the new
   * master's sync state set before the command ends (0: not at all).
   */
  settleSeconds?: number;
  timeoutMs?: number;
}

export type RunnerCommand = CopyMetadataCommand | TopicTransferCommand | SetNameServersCommand | ObserveRolesCommand | HandOverCommand;

/** Bad arguments: the runner prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command word, when it was known. */
    readonly command?: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Text as given; a list written "a,b" (read from "a;b" too); an integer of at least `min`; one of some words. */
type ValueType = 'text' | 'list' | { min: number } | { oneOf: readonly string[] };

interface Option<C> {
  flag: string;
  field: keyof C & string;
  type: ValueType;
  required?: boolean;
}

interface Syntax<C extends RunnerCommand> {
  word: string;
  usage: string;
  /** In the order toArgs writes them. */
  options: Option<C>[];
  /** Fields every command of this word has before options are read. */
  base: Partial<C>;
  /** Rules across options. */
  check?: (command: C) => void;
}

const copyMetadata: Syntax<CopyMetadataCommand> = {
  word: 'copy-metadata',
  usage: `usage: copy-metadata --namesrv=<host:port;host:port>
         (--source-broker=<brokerName> | --source-addr=<host:port>)
         (--target-broker=<brokerName>[,<brokerName>...] | --target-addr=<host:port>[,<host:port>...])
         [--timeout-ms=5000] [--attempts=4] [--backoff-ms=250] [--batch-size=1000]`,
  options: [
    { flag: 'namesrv', field: 'nameServers', type: 'text' },
    { flag: 'source-broker', field: 'sourceBroker', type: 'text' },
    { flag: 'source-addr', field: 'sourceAddress', type: 'text' },
    { flag: 'target-broker', field: 'targetBrokers', type: 'list' },
    { flag: 'target-addr', field: 'targetAddresses', type: 'list' },
    { flag: 'timeout-ms', field: 'timeoutMs', type: { min: 1 } },
    { flag: 'attempts', field: 'attempts', type: { min: 1 } },
    { flag: 'backoff-ms', field: 'backoffMs', type: { min: 0 } },
    { flag: 'batch-size', field: 'batchSize', type: { min: 1 } },
  ],
  base: { task: 'copy-metadata' },
  check(command) {
    if (!command.sourceBroker && !command.sourceAddress) throw new Error('give --source-broker or --source-addr');
    const byName = !command.sourceAddress || command.targetBrokers.length > 0;
    if (command.targetBrokers.length + command.targetAddresses.length === 0) throw new Error('give --target-broker or --target-addr');
    if (!command.nameServers && byName) throw new Error('--namesrv is needed to find brokers by name');
  },
};

const topicTransfer: Syntax<TopicTransferCommand> = {
  word: 'topic-transfer',
  usage: `usage: topic-transfer --mode=transfer|rollback --name=<TopicTransfer> --namespace=<namespace>
         --namesrv=<host:port;host:port> --topic=<topic> --source=<cluster or broker> --target=<cluster or broker>
         --consume-timeout-seconds=<seconds>`,
  options: [
    { flag: 'mode', field: 'task', type: { oneOf: ['transfer', 'rollback'] }, required: true },
    { flag: 'name', field: 'name', type: 'text', required: true },
    { flag: 'namespace', field: 'namespace', type: 'text', required: true },
    { flag: 'namesrv', field: 'nameServers', type: 'text', required: true },
    { flag: 'topic', field: 'topic', type: 'text', required: true },
    { flag: 'source', field: 'source', type: 'text', required: true },
    { flag: 'target', field: 'target', type: 'text', required: true },
    { flag: 'consume-timeout-seconds', field: 'consumeTimeoutSeconds', type: { min: 1 }, required: true },
  ],
  // The task comes from --mode.
  base: {},
};

const setNameServers: Syntax<SetNameServersCommand> = {
  word: 'set-name-servers',
  usage: `usage: set-name-servers --namesrv=<host:port;host:port> --broker-addr=<host:port>[,<host:port>...]
         [--timeout-ms=5000] [--attempts=6] [--backoff-ms=500]`,
  options: [
    { flag: 'namesrv', field: 'nameServers', type: 'text', required: true },
    { flag: 'broker-addr', field: 'brokerAddresses', type: 'list', required: true },
    { flag: 'timeout-ms', field: 'timeoutMs', type: { min: 1 } },
    { flag: 'attempts', field: 'attempts', type: { min: 1 } },
    { flag: 'backoff-ms', field: 'backoffMs', type: { min: 0 } },
  ],
  base: { task: 'set-name-servers' },
  check(command) {
    if (command.brokerAddresses.length === 0) throw new Error('give at least one --broker-addr');
  },
};

const observeRoles: Syntax<ObserveRolesCommand> = {
  word: 'observe-roles',
  usage: `usage: observe-roles --namespace=<namespace> --pod-selector=<k=v,k=v> --cluster=<clusterName>
         --namesrv-file=<path> [--interval-ms=5000] [--timeout-ms=3000]`,
  options: [
    { flag: 'namespace', field: 'namespace', type: 'text', required: true },
    { flag: 'pod-selector', field: 'podSelector', type: 'text', required: true },
    { flag: 'cluster', field: 'clusterName', type: 'text', required: true },
    { flag: 'namesrv-file', field: 'nameServersFile', type: 'text', required: true },
    { flag: 'interval-ms', field: 'intervalMs', type: { min: 100 } },
    { flag: 'timeout-ms', field: 'timeoutMs', type: { min: 1 } },
  ],
  base: { task: 'observe-roles' },
};

const handOver: Syntax<HandOverCommand> = {
  word: 'hand-over',
  usage: `usage: hand-over (--controllers=<host:port;host:port> | --controllers-by-dns=<host:port>) --cluster=<clusterName>
         --broker-name=<brokerName> --from-host=<ip> --to-host=<ip>[,<ip>...] [--settle-seconds=0] [--timeout-ms=5000]`,
  options: [
    { flag: 'controllers', field: 'controllers', type: 'text' },
    { flag: 'controllers-by-dns', field: 'controllersByDns', type: 'text' },
    { flag: 'cluster', field: 'clusterName', type: 'text', required: true },
    { flag: 'broker-name', field: 'brokerName', type: 'text', required: true },
    { flag: 'from-host', field: 'fromHost', type: 'text', required: true },
    { flag: 'to-host', field: 'toHosts', type: 'list', required: true },
    { flag: 'settle-seconds', field: 'settleSeconds', type: { min: 0 } },
    { flag: 'timeout-ms', field: 'timeoutMs', type: { min: 1 } },
  ],
  base: { task: 'hand-over' },
  check(command) {
    if (!command.controllers === !command.controllersByDns) throw new Error('give either --controllers or --controllers-by-dns');
    if (command.toHosts.length === 0) throw new Error('give at least one --to-host');
  },
};

const SYNTAXES = [copyMetadata, topicTransfer, setNameServers, observeRoles, handOver] as const;

function syntaxOf(command: RunnerCommand): Syntax<RunnerCommand> {
  switch (command.task) {
    case 'copy-metadata':
      return copyMetadata as Syntax<RunnerCommand>;
    case 'transfer':
    case 'rollback':
      return topicTransfer as Syntax<RunnerCommand>;
    case 'set-name-servers':
      return setNameServers as Syntax<RunnerCommand>;
    case 'observe-roles':
      return observeRoles as Syntax<RunnerCommand>;
    case 'hand-over':
      return handOver as Syntax<RunnerCommand>;
  }
}

/** The Job arguments of a command: its word, then `--option=value` for each option that has a value. */
export function toArgs(command: RunnerCommand): string[] {
  const { word, options } = syntaxOf(command);
  const args = [word];
  for (const { flag, field, type } of options) {
    const value = (command as unknown as Record<string, unknown>)[field];
    const text = type === 'list' ? (value as string[] | undefined)?.join(',') : value === undefined ? undefined : String(value);
    if (text) args.push(`--${flag}=${text}`);
  }
  return args;
}

/** Reads the arguments of a runner Job; a UsageError names the option that is wrong. */
export function parseArgs(argv: readonly string[]): RunnerCommand {
  const [word, ...rest] = argv;
  const syntax = SYNTAXES.find((s) => s.word === word) as Syntax<RunnerCommand> | undefined;
  const commands = SYNTAXES.map((s) => s.word).join(', ');
  if (!syntax) throw new UsageError(`${word ? `unknown command ${word}` : 'no command given'}; commands: ${commands}`);
  try {
    return readOptions(syntax, rest);
  } catch (error) {
    throw new UsageError((error as Error).message, syntax.word, syntax.usage);
  }
}

function readOptions<C extends RunnerCommand>(syntax: Syntax<C>, args: readonly string[]): C {
  const raw = new Map<Option<C>, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const equals = arg.indexOf('=');
    const flag = equals > 0 ? arg.slice(2, equals) : arg.slice(2);
    const option = syntax.options.find((o) => o.flag === flag);
    if (!option) throw new Error(`unknown option --${flag}`);
    const value = equals > 0 ? arg.slice(equals + 1) : args[++i];
    if (value === undefined || (equals < 0 && value.startsWith('--'))) throw new Error(`option --${flag} needs a value`);
    raw.set(option, value);
  }
  // An empty value counts as not given, as the hooks leave out options without a value.
  const missing = syntax.options.filter((o) => o.required && !raw.get(o));
  if (missing.length > 0) throw new Error(`missing ${missing.map((o) => `--${o.flag}`).join(', ')}`);
  const command: Record<string, unknown> = { ...syntax.base };
  for (const option of syntax.options) {
    const value = readValue(option, raw.get(option) ?? '');
    if (value !== undefined) command[option.field] = value;
  }
  syntax.check?.(command as C);
  return command as C;
}

function readValue<C>({ flag, type }: Option<C>, raw: string): unknown {
  if (type === 'list') {
    return raw
      .split(/[,;]/)
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }
  if (raw === '') return undefined;
  if (type === 'text') return raw;
  if ('oneOf' in type) {
    if (!type.oneOf.includes(raw)) throw new Error(`--${flag} must be ${type.oneOf.join(' or ')}, got ${JSON.stringify(raw)}`);
    return raw;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < type.min)
    throw new Error(`--${flag} must be an integer of at least ${type.min}, got ${JSON.stringify(raw)}`);
  return value;
}
