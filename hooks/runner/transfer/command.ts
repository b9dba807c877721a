// `topic-transfer`: the command the TopicTransfer hook renders into its Jobs, wired to the real name
// servers, the TopicTransfer object as the record's store, and the wall clock.
import { KubeConfig } from '@kubernetes/client-node';
import type { TopicTransferCommand } from '../../jobs/runner-command.js';
import { RocketMQAdmin } from '../../rocketmq/admin.js';
import { credentialsFromEnv } from '../credentials.js';
import { mayNeedRollback } from '../../topictransfer/state.js';
import type { CommandIo } from '../io.js';
import { remotingTransferAdmin } from './admin.js';
import { kubernetesTransferStore } from './kube-store.js';
import { runTransfer } from './machine.js';

/**
 * Exit status 0 once the transfer or its rollback is finished (or there was nothing to roll back);
 * otherwise non-zero, so the Job starts a new pod, which resumes from the record.
 */
export async function topicTransferCommand(command: TopicTransferCommand, io: CommandIo): Promise<number> {
  const log = (line: string) => io.stdout(`${new Date().toISOString()} ${command.namespace}/${command.name}: ${line}`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const admin = new RocketMQAdmin({ nameServers: command.nameServers, credentials: credentialsFromEnv() });
  try {
    const state = await runTransfer(
      {
        admin: remotingTransferAdmin(admin),
        store: kubernetesTransferStore(kubeConfig, command.namespace, command.name),
        clock: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        log,
      },
      command,
    );
    log(`phase ${state?.phase ?? 'none'}: ${state?.message ?? 'nothing recorded'}`);
    const finished =
      state?.phase === 'Succeeded' || state?.phase === 'RolledBack' || (command.task === 'rollback' && !mayNeedRollback(state));
    return finished ? 0 : 1;
  } catch (error) {
    // A lost compare-and-swap or a failed write of the record: stop here; the record says where to go on.
    log(`stopping: ${(error as Error).message}`);
    return 1;
  } finally {
    admin.close();
  }
}
