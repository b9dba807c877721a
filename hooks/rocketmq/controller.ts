// Requests to RocketMQ 5 controllers (controller mode): find the Raft leader, read a group's sync
// state set, and have the leader elect a designated master, as mqadmin electMaster does.
import type { RemotingClient } from './client.js';
import { RequestCode, ResponseCode } from './codes.js';
import { decodeReplicasInfo } from './decode.js';
import { RemotingError } from './errors.js';
import { parseFastjsonBuffer } from './fastjson.js';
import type { ReplicasInfo } from './types.js';

export interface ElectResult {
  /** Whether the controller made the designated broker master. */
  elected: boolean;
  masterBrokerId?: number;
  masterAddress?: string;
  remark?: string;
}

/** The leader among `controllers`: the one that says it leads, else the address the others name. */
export async function controllerLeader(client: RemotingClient, controllers: string[]): Promise<string> {
  const problems: string[] = [];
  let named: string | undefined;
  for (const controller of controllers) {
    try {
      const reply = await client.call(controller, RequestCode.CONTROLLER_GET_METADATA_INFO);
      if (reply.extFields?.isLeader === 'true') return controller;
      named ??= reply.extFields?.controllerLeaderAddress || undefined;
    } catch (error) {
      if (!(error instanceof RemotingError)) throw error;
      problems.push(`${controller}: ${error.message}`);
    }
  }
  if (named) return named;
  throw new Error(`no controller leader found among ${controllers.join(';')}${problems.length ? ` (${problems.join('; ')})` : ''}`);
}

export async function replicasInfo(client: RemotingClient, leader: string, brokerName: string): Promise<ReplicasInfo | undefined> {
  const reply = await client.call(leader, RequestCode.CONTROLLER_GET_SYNC_STATE_DATA, { body: JSON.stringify([brokerName]) });
  return decodeReplicasInfo(parseFastjsonBuffer(reply.body), brokerName);
}

/** Asks the leader to make `brokerId` master; the controller elects it only if it is alive and in the sync state set. */
export async function electMaster(
  client: RemotingClient,
  leader: string,
  target: { clusterName: string; brokerName: string; brokerId: number },
): Promise<ElectResult> {
  const reply = await client.call(leader, RequestCode.CONTROLLER_ELECT_MASTER, {
    extFields: { ...target, designateElect: true, invokeTime: Date.now() },
    accept: [ResponseCode.CONTROLLER_MASTER_STILL_EXIST, ResponseCode.CONTROLLER_ELECT_MASTER_FAILED],
  });
  const masterBrokerId = reply.extFields?.masterBrokerId === undefined ? undefined : Number(reply.extFields.masterBrokerId);
  return {
    elected: reply.code === ResponseCode.SUCCESS && masterBrokerId === target.brokerId,
    ...(masterBrokerId === undefined ? {} : { masterBrokerId }),
    ...(reply.extFields?.masterAddress ? { masterAddress: reply.extFields.masterAddress } : {}),
    ...(reply.remark ? { remark: reply.remark } : {}),
  };
}
