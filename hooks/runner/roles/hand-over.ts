// `hand-over`: moves a controller-mode group's master role to another broker before the master
// restarts. The controller elects the designated broker only if it is alive and in the group's sync
// state set; this command picks one that is, among the brokers the hook found Ready.
import { lookup } from 'node:dns/promises';
import type { HandOverCommand } from '../../jobs/runner-command.js';
import { parseNameServers } from '../../rocketmq/admin.js';
import { RemotingClient } from '../../rocketmq/client.js';
import { controllerLeader, electMaster, replicasInfo } from '../../rocketmq/controller.js';
import type { ReplicasInfo } from '../../rocketmq/types.js';
import { credentialsFromEnv } from '../credentials.js';
import type { CommandIo } from '../io.js';
import { hostOf } from './observe.js';

export type HandOverChoice =
  | { action: 'elect'; brokerId: number; address: string }
  /** The master is already another broker than `fromHost`: nothing to do. */
  | { action: 'done'; reason: string }
  | { action: 'refuse'; reason: string };

/** Exit status when no broker may take over: the hook then restarts the master as it is. */
export const NO_ELIGIBLE_REPLICA_EXIT = 3;

export function chooseSuccessor(info: ReplicasInfo | undefined, fromHost: string, toHosts: string[]): HandOverChoice {
  if (!info) return { action: 'refuse', reason: 'the controller does not know this group' };
  if (info.masterBrokerId < 0 || hostOf(info.masterAddress) !== fromHost) {
    return { action: 'done', reason: `the master is ${info.masterAddress || 'none'}, not ${fromHost}` };
  }
  const inSync = info.inSync.filter((r) => r.brokerId !== info.masterBrokerId && r.alive);
  for (const host of toHosts) {
    const replica = inSync.find((r) => hostOf(r.brokerAddress) === host);
    if (replica) return { action: 'elect', brokerId: replica.brokerId, address: replica.brokerAddress };
  }
  const syncSet = info.inSync.map((r) => `${r.brokerId}@${r.brokerAddress}`).join(', ') || 'none';
  return { action: 'refuse', reason: `none of ${toHosts.join(', ')} is an alive replica in the sync state set (${syncSet})` };
}

/**
 * The controllers to ask: the list given, or every address the DNS name resolves to, with its port
 * (split at the first ':', as a broker splits it).
 */
export async function controllerAddresses(command: Pick<HandOverCommand, 'controllers' | 'controllersByDns'>): Promise<string[]> {
  if (!command.controllersByDns) return parseNameServers(command.controllers ?? '');
  const [host, port] = command.controllersByDns.split(':', 2);
  const found = await lookup(host, { all: true });
  if (found.length === 0) throw new Error(`${host} resolves to no controller`);
  return found.map((a) => `${a.address}:${port}`);
}

export async function handOverCommand(command: HandOverCommand, io: CommandIo): Promise<number> {
  const client = new RemotingClient({ timeoutMs: command.timeoutMs ?? 5000, credentials: credentialsFromEnv() });
  const where = `${command.clusterName}/${command.brokerName}`;
  try {
    const leader = await controllerLeader(client, await controllerAddresses(command));
    const choice = chooseSuccessor(await replicasInfo(client, leader, command.brokerName), command.fromHost, command.toHosts);
    if (choice.action === 'done') {
      io.stdout(`${where}: ${choice.reason}; nothing to hand over`);
      return 0;
    }
    if (choice.action === 'refuse') {
      io.stderr(`${where}: ${choice.reason}`);
      return NO_ELIGIBLE_REPLICA_EXIT;
    }
    const result = await electMaster(client, leader, {
      clusterName: command.clusterName,
      brokerName: command.brokerName,
      brokerId: choice.brokerId,
    });
    if (!result.elected) {
      io.stderr(`${where}: the controller kept master ${result.masterAddress ?? '?'}: ${result.remark ?? 'no reason given'}`);
      return NO_ELIGIBLE_REPLICA_EXIT;
    }
    io.stdout(`${where}: master handed from ${command.fromHost} to broker ${choice.brokerId} (${choice.address})`);
    return 0;
  } catch (error) {
    io.stderr(`${where}: ${(error as Error).message}`);
    return 1;
  } finally {
    client.close();
  }
}
