// Gives running brokers a new name-server list without restarting them, as the original operator
// did: updateBrokerConfig (request code 25) with `namesrvAddr`, then the broker's config read back
// (GET_BROKER_CONFIG, 26) until it holds exactly the list. A broker from 4.9.4 on re-reads the value
// on a timer and registers with the new name servers from then on (see README, "Name servers").
// Idempotent: a broker that already holds the list is not written to; every broker is handled even
// when another fails, and the failures are reported together.
import { FIRST_NAMESRV_RELOAD_VERSION } from '../rocketmq/codes.js';
import type { RocketMQAdmin } from '../rocketmq/admin.js';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from './retry.js';

export interface SetNameServersOptions {
  /** "host:port;host:port", as brokers hold it. */
  nameServers: string;
  /** Broker addresses (host:port of the main listener). */
  brokers: string[];
  retry?: RetryPolicy;
}

export interface BrokerResult {
  address: string;
  brokerName?: string;
  /** namesrvAddr before, as the broker reported it. */
  before?: string;
  /** Whether an update was sent (false: the broker held the list already). */
  updated: boolean;
}

export interface SetNameServersSummary {
  nameServers: string;
  brokers: BrokerResult[];
  updated: number;
  unchanged: number;
  durationMs: number;
}

export class SetNameServersError extends Error {
  constructor(
    message: string,
    /** The brokers that were done before the failure. */
    readonly done: BrokerResult[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SetNameServersError';
  }
}

const sleepFor = (retry: RetryPolicy) => retry.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

async function setOne(admin: RocketMQAdmin, address: string, nameServers: string, retry: RetryPolicy): Promise<BrokerResult> {
  const read = () => withRetry(() => admin.brokerConfig(address), retry);
  let config: Record<string, string>;
  try {
    config = await read();
  } catch (error) {
    throw new Error(`cannot reach broker ${address}: ${(error as Error).message}`, { cause: error });
  }
  const label = config.brokerName ? `broker ${config.brokerName} (${address})` : `broker ${address}`;
  const before = config.namesrvAddr;
  const result: BrokerResult = { address, ...(config.brokerName ? { brokerName: config.brokerName } : {}), before, updated: false };
  if (before === nameServers) return result;
  // Such a broker would report the new value and go on registering with the old name servers.
  const version = admin.client.serverVersion(address);
  if (version !== undefined && version < FIRST_NAMESRV_RELOAD_VERSION) {
    throw new Error(
      `${label} runs a RocketMQ older than 4.9.4 (version ordinal ${version}), which reads namesrvAddr only when it starts: ` +
        'restart it to give it the new list',
    );
  }
  for (let round = 1; config.namesrvAddr !== nameServers; round++) {
    if (round > retry.attempts) {
      throw new Error(`${label} still holds namesrvAddr=${config.namesrvAddr ?? '(none)'} after ${retry.attempts} updates`);
    }
    if (round > 1) await sleepFor(retry)(retry.backoffMs * 2 ** (round - 2));
    try {
      await withRetry(() => admin.updateBrokerConfig(address, { namesrvAddr: nameServers }), retry);
      result.updated = true;
      config = await read();
    } catch (error) {
      throw new Error(`cannot update ${label}: ${(error as Error).message}`, { cause: error });
    }
  }
  return result;
}

export async function setNameServers(admin: RocketMQAdmin, options: SetNameServersOptions): Promise<SetNameServersSummary> {
  const started = Date.now();
  const retry = options.retry ?? defaultRetryPolicy;
  if (options.brokers.length === 0) throw new SetNameServersError('no broker given', []);
  if (options.nameServers.trim() === '') throw new SetNameServersError('no name-server list given', []);
  const settled = await Promise.allSettled(options.brokers.map((address) => setOne(admin, address, options.nameServers, retry)));
  const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (failures.length > 0) {
    throw new SetNameServersError(failures.map((f) => f.message).join('; '), done, { cause: failures[0] });
  }
  return {
    nameServers: options.nameServers,
    brokers: done,
    updated: done.filter((b) => b.updated).length,
    unchanged: done.filter((b) => !b.updated).length,
    durationMs: Date.now() - started,
  };
}
