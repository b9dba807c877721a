// The controllers' configuration files (ControllerStartup -c): one per pod, differing only in the
// pod's own Raft id, so a pod starts from a file chosen by its ordinal and needs nothing writable.
import { peerId, raftPeers } from './names.js';

export interface ControllerConfigInput {
  name: string;
  namespace: string;
  size: number;
  /** The directory the Raft log is kept in (the store volume). */
  storePath: string;
}

const RAFT_LOG_FILE_BYTES = 64 * 1024 * 1024;

/** The file a pod of `ordinal` starts from. */
export function configFileName(ordinal: number): string {
  return `${peerId(ordinal)}.conf`;
}

/** The settings of pod `ordinal`, in file order. */
export function controllerConfig({ name, namespace, size, storePath }: ControllerConfigInput, ordinal: number): Record<string, string> {
  return {
    controllerType: 'DLedger',
    controllerDLegerGroup: `ControllerGroup-${name}`,
    controllerDLegerPeers: raftPeers(name, namespace, size),
    controllerDLegerSelfId: peerId(ordinal),
    controllerStorePath: storePath,
    // The Raft log holds only broker replica metadata; files of the 1 GiB default would take a small volume whole.
    mappedFileSize: String(RAFT_LOG_FILE_BYTES),
  };
}

/** `key=value` lines: every value is made of DNS names, paths and numbers, which need no escaping. */
export function controllerConfigText(input: ControllerConfigInput, ordinal: number): string {
  return Object.entries(controllerConfig(input, ordinal))
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}

/** Every pod's file by its name, the ConfigMap's data. */
export function controllerConfigFiles(input: ControllerConfigInput): Record<string, string> {
  return Object.fromEntries(Array.from({ length: input.size }, (_, i) => [configFileName(i), controllerConfigText(input, i)]));
}
