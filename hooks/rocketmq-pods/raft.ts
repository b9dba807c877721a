// DLedger Raft groups of pods: their peer ids and lists, and the controllers' configuration files
// (ControllerStartup -c, or the name server's -c where the controller runs inside it): one per pod,
// differing only in the pod's own Raft id, so a pod starts from a file chosen by its ordinal and
// needs nothing writable.

/** The port of RocketMQ's controller, for its Raft peers and for brokers alike, wherever it runs. */
export const CONTROLLER_PORT = 9878;

/** Hash of the configuration files on a pod template, so a new peer list rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'rocketmq.apache.org/config-hash';

export const PEER_ID_PREFIX = 'n';

/**
 * A pod's Raft id: `n` and its ordinal. Pods find theirs from the end of their own name, which
 * stays right whatever dashes their owner's name holds.
 */
export function peerId(ordinal: number): string {
  return `${PEER_ID_PREFIX}${ordinal}`;
}

/** A DLedger peer list, `n0-host:port;n1-host:port;…`, of the pods at `addresses` by ordinal. */
export function raftPeers(addresses: string[]): string {
  return addresses.map((address, i) => `${peerId(i)}-${address}`).join(';');
}

export interface ControllerConfigInput {
  /** The Raft group's name. */
  group: string;
  /** Each pod's stable address, by ordinal. */
  addresses: string[];
  /** The directory the Raft log is kept in (the store volume). */
  storePath: string;
}

const RAFT_LOG_FILE_BYTES = 64 * 1024 * 1024;

/** The file a pod of `ordinal` starts from. */
export function configFileName(ordinal: number): string {
  return `${peerId(ordinal)}.conf`;
}

/** The variable a pod's own name is given in, from which it finds its file. */
export const POD_NAME_VARIABLE = 'MY_POD_NAME';

/**
 * A shell command that runs `script` (under $ROCKETMQ_HOME/bin) with its pod's file in `dir`. The
 * pod's ordinal is what follows the last '-' of its name, so the file (and Raft id) is right
 * whatever dashes the owner's name holds.
 */
export function startWithOrdinalFile(script: string, dir: string): string {
  return `exec sh "$ROCKETMQ_HOME/bin/${script}" -c ${dir}/${PEER_ID_PREFIX}\${${POD_NAME_VARIABLE}##*-}.conf`;
}

/** The settings of pod `ordinal`, in file order. */
export function controllerConfig({ group, addresses, storePath }: ControllerConfigInput, ordinal: number): Record<string, string> {
  return {
    controllerType: 'DLedger',
    controllerDLegerGroup: group,
    controllerDLegerPeers: raftPeers(addresses),
    controllerDLegerSelfId: peerId(ordinal),
    controllerStorePath: storePath,
    // The Raft log holds only broker replica metadata; files of the 1 GiB default would take a small volume whole.
    mappedFileSize: String(RAFT_LOG_FILE_BYTES),
  };
}

/** `key=value` lines: every value is made of DNS names, paths and numbers, which need no escaping. */
export function configText(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}

/** Every pod's file by its name, the ConfigMap's data; `before` are settings every file starts with. */
export function controllerConfigFiles(input: ControllerConfigInput, before: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(input.addresses.map((_, i) => [configFileName(i), configText({ ...before, ...controllerConfig(input, i) })]));
}
