// `observe-roles`: runs until stopped, one round every interval. The name-server list is read from
// its file (a mounted ConfigMap key) each round, so a new list reaches a running observer.
import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { ObserveRolesCommand } from '../../jobs/runner-command.js';
import { RocketMQAdmin } from '../../rocketmq/admin.js';
import { credentialsFromEnv } from '../credentials.js';
import type { CommandIo } from '../io.js';
import { kubernetesBrokerPods } from './kube-pods.js';
import { observeRound } from './observe.js';

export const DEFAULT_OBSERVE_INTERVAL_MS = 5000;

export async function observeRolesCommand(command: ObserveRolesCommand, io: CommandIo, signal?: AbortSignal): Promise<number> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const pods = kubernetesBrokerPods(kubeConfig, command.namespace, command.podSelector);
  const credentials = credentialsFromEnv();
  const log = (line: string) => io.stdout(`${new Date().toISOString()} ${line}`);
  let admin: RocketMQAdmin | undefined;
  let nameServers = '';
  let lastProblem = '';
  log(`observing cluster ${command.clusterName} (pods ${command.podSelector} in ${command.namespace})`);
  while (!signal?.aborted) {
    try {
      const current = (await readFile(command.nameServersFile, 'utf8')).trim();
      if (current !== nameServers || !admin) {
        admin?.close();
        admin = new RocketMQAdmin({ nameServers: current, timeoutMs: command.timeoutMs ?? 3000, credentials });
        if (nameServers !== '') log(`name servers now ${current}`);
        nameServers = current;
      }
      const client = admin;
      await observeRound({ clusterInfo: () => client.clusterInfo(), ...pods, log }, command.clusterName);
      if (lastProblem !== '') log('observing again');
      lastProblem = '';
    } catch (error) {
      // Once per distinct problem, so a long outage does not fill the log.
      const problem = (error as Error).message;
      if (problem !== lastProblem) io.stderr(`${new Date().toISOString()} ${problem}`);
      lastProblem = problem;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, command.intervalMs ?? DEFAULT_OBSERVE_INTERVAL_MS);
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
  admin?.close();
  return 0;
}
