// `hand-over`: moves a controller-mode group's master role to another broker before the master
// restarts. The controller elects the designated broker only if it is alive and in the group's sync
// state set; this command picks one that is, among the brokers the hook found Ready.
//
// After the election the new master's sync state set holds only itself. Each replica learns the new
// master's replication address from the name servers when it registers, and a replica that registers
// before the old master has re-registered as a replica is given the old master's address: it then
// copies from the old master, outside the sync state set, until that connection breaks. Its next
// periodic registration gives it the right address. So the command waits, up to --settle-seconds,
// for every alive broker to be back in the sync state set: restarting the old master only then keeps
// the group's replicas in sync, and breaks any such connection after the replica has the address.
import { lookup } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /** The master is already another broker than `fromHost` (`masterBrokerId`, -1 for none): nothing to elect. */
  | { action: 'done'; reason: string; masterBrokerId: number }
  | { action: 'refuse'; reason: string };

/** Exit status when no broker may take over: the hook then restarts the master as it is. */
export const NO_ELIGIBLE_REPLICA_EXIT = 3;

export function chooseSuccessor(info: ReplicasInfo | undefined, fromHost: string, toHosts: string[]): HandOverChoice {
  if (!info) return { action: 'refuse', reason: 'the controller does not know this group' };
  if (info.masterBrokerId < 0 || hostOf(info.masterAddress) !== fromHost) {
    return {
      action: 'done',
      reason: `the master is ${info.masterAddress || 'none'}, not ${fromHost}`,
      masterBrokerId: info.masterBrokerId,
    };
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

/**
 * Whether every alive broker of the group is in the sync state set under `masterBrokerId`: `wait`
 * names those that are not yet; `stop` when waiting is pointless (another master, no group).
 */
export function groupSync(
  info: ReplicasInfo | undefined,
  masterBrokerId: number,
): { state: 'whole' } | { state: 'wait' | 'stop'; problem: string } {
  if (!info) return { state: 'stop', problem: 'the controller does not know this group' };
  if (info.masterBrokerId !== masterBrokerId) return { state: 'stop', problem: `the master is now broker ${info.masterBrokerId}` };
  const behind = info.notInSync.filter((r) => r.alive).map((r) => `broker ${r.brokerId} (${r.brokerAddress})`);
  return behind.length > 0 ? { state: 'wait', problem: `${behind.join(', ')} not in the sync state set` } : { state: 'whole' };
}

/** Asks the controller leader once a second until the group is whole or --settle-seconds passed; says which. */
async function awaitInSync(client: RemotingClient, command: HandOverCommand, masterBrokerId: number): Promise<string> {
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  const deadline = started + (command.settleSeconds ?? 0) * 1000;
  for (;;) {
    let problem: string;
    try {
      const leader = await controllerLeader(client, await controllerAddresses(command));
      const sync = groupSync(await replicasInfo(client, leader, command.brokerName), masterBrokerId);
      if (sync.state === 'whole') return `every alive broker in sync with the new master after ${seconds()} s`;
      if (sync.state === 'stop') return `${sync.problem}; not waiting for the replicas`;
      problem = sync.problem;
    } catch (error) {
      problem = (error as Error).message;
    }
    if (Date.now() >= deadline) return `after ${seconds()} s ${problem}; going on`;
    await sleep(1000);
  }
}

export async function handOverCommand(command: HandOverCommand, io: CommandIo): Promise<number> {
  const client = new RemotingClient({ timeoutMs: command.timeoutMs ?? 5000, credentials: credentialsFromEnv() });
  const where = `${command.clusterName}/${command.brokerName}`;
  try {
    const leader = await controllerLeader(client, await controllerAddresses(command));
    const choice = chooseSuccessor(await replicasInfo(client, leader, command.brokerName), command.fromHost, command.toHosts);
    if (choice.action === 'done') {
      io.stdout(`${where}: ${choice.reason}; nothing to hand over`);
      // A retried Job whose first try elected, or a failover since: the old master still restarts
      // next, so the replicas are waited for all the same.
      if (command.settleSeconds && choice.masterBrokerId >= 0)
        io.stdout(`${where}: ${await awaitInSync(client, command, choice.masterBrokerId)}`);
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
    if (command.settleSeconds) io.stdout(`${where}: ${await awaitInSync(client, command, choice.brokerId)}`);
    return 0;
  } catch (error) {
    io.stderr(`${where}: ${(error as Error).message}`);
    return 1;
  } finally {
    client.close();
  }
}
