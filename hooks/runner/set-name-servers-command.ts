// `set-name-servers`: sends every broker of a Broker the name-server list, prints a summary.
import type { SetNameServersCommand } from '../jobs/runner-command.js';
import { RocketMQAdmin } from '../rocketmq/admin.js';
import { credentialsFromEnv } from './credentials.js';
import type { CommandIo } from './io.js';
import { setNameServers, SetNameServersError } from './set-name-servers.js';

export async function setNameServersCommand(command: SetNameServersCommand, io: CommandIo): Promise<number> {
  const admin = new RocketMQAdmin({ timeoutMs: command.timeoutMs ?? 5000, credentials: credentialsFromEnv() });
  try {
    const summary = await setNameServers(admin, {
      nameServers: command.nameServers,
      brokers: command.brokerAddresses,
      // Each request is tried 6 times over about 15 s (plus time-outs): a broker that restarts meanwhile comes back.
      retry: { attempts: command.attempts ?? 6, backoffMs: command.backoffMs ?? 500 },
    });
    io.stdout(JSON.stringify(summary));
    return 0;
  } catch (error) {
    io.stderr(`set-name-servers: ${(error as Error).message}`);
    if (error instanceof SetNameServersError && error.done.length > 0) io.stdout(JSON.stringify({ done: error.done }));
    return 1;
  } finally {
    admin.close();
  }
}
