// The broker.conf keys that decide how a broker takes its role: fixed by the operator (STATIC), given
// by RocketMQ's controllers (CONTROLLER), or elected by the group's Raft commit log (DLEDGER).
import { merged } from '../../core/merged.js';
import { type ControllerAddress, controllerAddressKeys } from '../../rocketmq-pods/controllers.js';
import { peerId, raftPeers } from '../../rocketmq-pods/raft.js';
import type { FailoverMode } from '../failover.js';
import { type BrokerMember, brokerMember } from '../members.js';
import { brokerServiceName } from '../names.js';

/** The port each broker's DLedger commit log listens on for its group's peers (RocketMQ's examples use it). */
export const DLEDGER_PORT = 40911;

/** Keys the operator writes for a mode, never taken from broker-common.conf or spec.properties then. */
export const MODE_KEYS: Record<FailoverMode, readonly string[]> = {
  CONTROLLER: ['enableControllerMode', 'controllerAddr', 'fetchControllerAddrByDnsLookup'],
  DLEDGER: ['enableDLegerCommitLog', 'dLegerGroup', 'dLegerPeers', 'dLegerSelfId'],
};

export type MasterRole = 'ASYNC_MASTER' | 'SYNC_MASTER';

/** What a mode needs besides the member: the fixed masters' role, or where the controllers are. */
export type Election =
  | { mode: undefined; masterRole: MasterRole }
  | { mode: 'CONTROLLER'; controllers: ControllerAddress; syncReplicas: boolean }
  /** `highestId`: the highest broker id of any group, so every broker of a group is its peer. */
  | { mode: 'DLEDGER'; name: string; namespace: string; highestId: number };

/** Stable address of a broker pod's DLedger port, through the headless Service that governs every broker StatefulSet. */
function dledgerAddress(name: string, namespace: string, statefulSet: string): string {
  return `${statefulSet}-0.${brokerServiceName(name)}.${namespace}.svc:${DLEDGER_PORT}`;
}

/** The keys of one broker, in file order, after everything else so that they win. */
export function electionKeys(member: BrokerMember, election: Election): Record<string, string> {
  switch (election.mode) {
    case undefined:
      return { brokerId: String(member.brokerId), brokerRole: member.role === 'MASTER' ? election.masterRole : 'SLAVE' };
    case 'CONTROLLER':
      // The controllers give each broker its id (kept in its store) and its role; until they do it
      // runs as a replica. Both are written as RocketMQ's own examples write them.
      return merged(
        { brokerId: '-1', brokerRole: 'SLAVE', enableControllerMode: 'true' },
        controllerAddressKeys(election.controllers),
        // A master acknowledges a message once every replica in sync with it holds it.
        election.syncReplicas ? { allAckInSyncStateSet: 'true' } : undefined,
      );
    case 'DLEDGER': {
      // Each broker's own file names its own Raft id, so no id is worked out from a pod name.
      const { name, namespace, highestId } = election;
      const peers = Array.from({ length: highestId + 1 }, (_, r) =>
        dledgerAddress(name, namespace, brokerMember(name, member.group, r, 'elected').statefulSet),
      );
      return {
        enableDLegerCommitLog: 'true',
        dLegerGroup: member.brokerName,
        dLegerPeers: raftPeers(peers),
        dLegerSelfId: peerId(member.brokerId),
      };
    }
  }
}
