// Running transfers in-process against the real RocketMQ of test/support/rocketmq.ts.
import { RocketMQAdmin } from '../../../hooks/rocketmq/admin.js';
import type { Credentials } from '../../../hooks/rocketmq/signature.js';
import type { SubscriptionGroupConfig, TopicConfig } from '../../../hooks/rocketmq/types.js';
import { remotingTransferAdmin, type TransferAdmin } from '../../../hooks/runner/transfer/admin.js';
import type { TransferDeps } from '../../../hooks/runner/transfer/machine.js';
import type { TransferState } from '../../../hooks/topictransfer/state.js';
import { startRocketMQ, type RocketMQLayout, type TestRocketMQ } from '../../support/rocketmq.js';
import { compileClients, TestConsumer, TestProducer } from './clients.js';
import { groupConfig } from './fake-rocketmq.js';
import { Killed, type MemoryTransferStore } from './memory-store.js';
import { freePort } from '../../support/ports.js';

/** Clients refresh routes every second here, so a few seconds cover the write-stop grace. */
export const IT_TIMING = { pollIntervalMs: 500, clientRefreshMs: 4000, attempts: 3, retryDelayMs: 1000, progressEveryMs: 5000 };

export interface Originals {
  topic: TopicConfig;
  group: SubscriptionGroupConfig;
}

export class RealWorld {
  private readonly admins: RocketMQAdmin[] = [];
  private readonly clients: (TestProducer | TestConsumer)[] = [];
  readonly logs: string[] = [];

  /** `account`: what the test's own admin, producers and consumers sign with, for brokers with ACL. */
  constructor(
    readonly rmq: TestRocketMQ,
    readonly classes: string,
    readonly account?: Credentials,
  ) {}

  admin(): RocketMQAdmin {
    const admin = new RocketMQAdmin({
      nameServers: this.rmq.nameServer,
      timeoutMs: 3000,
      connectTimeoutMs: 1000,
      credentials: this.account,
    });
    this.admins.push(admin);
    return admin;
  }

  deps(store: MemoryTransferStore, admin: TransferAdmin = remotingTransferAdmin(this.admin())): TransferDeps {
    return {
      admin,
      store,
      clock: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: (line) => this.logs.push(`${new Date().toISOString()} ${line}`),
      timing: IT_TIMING,
    };
  }

  address(brokerName: string): string {
    return this.rmq.broker(brokerName).address;
  }

  /** A topic on `brokerName` whose settings all differ from the defaults, and a group with non-default settings. */
  async createTopicAndGroup(brokerName: string, topic: string, group: string): Promise<Originals> {
    const admin = this.admin();
    const address = this.address(brokerName);
    await admin.createOrUpdateTopic(address, {
      topicName: topic,
      readQueueNums: 6,
      writeQueueNums: 6,
      perm: 6,
      order: true,
      topicFilterType: 'MULTI_TAG',
    });
    await admin.createOrUpdateSubscriptionGroup(
      address,
      groupConfig(group, { consumeBroadcastEnable: false, retryMaxTimes: 5, consumeTimeoutMinute: 7 }),
    );
    return this.originals(brokerName, topic, group);
  }

  async originals(brokerName: string, topic: string, group: string): Promise<Originals> {
    const admin = this.admin();
    const address = this.address(brokerName);
    return { topic: (await admin.topicConfig(address, topic))!, group: (await admin.subscriptionGroup(address, group))! };
  }

  async routedBrokers(topic: string): Promise<string[]> {
    const route = await remotingTransferAdmin(this.admin()).topicRoute(topic);
    return (route?.queueDatas.map((q) => q.brokerName) ?? []).sort();
  }

  /** Polls until the route lists exactly `brokers` (routes settle a moment after a change). */
  async routeSettles(topic: string, brokers: string[]): Promise<void> {
    const deadline = Date.now() + 15_000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = await this.routedBrokers(topic);
      if (seen.join() === [...brokers].sort().join()) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`route of ${topic} lists [${seen.join(', ')}], expected [${brokers.join(', ')}]`);
  }

  producer(topic: string, count: number, intervalMs: number, prefix: string): TestProducer {
    const producer = new TestProducer(this.classes, this.rmq.nameServer, topic, count, intervalMs, prefix, this.account);
    this.clients.push(producer);
    return producer;
  }

  /** A consumer that is online and registered with the source broker. */
  async consumer(topic: string, group: string, brokerName: string): Promise<TestConsumer> {
    const consumer = new TestConsumer(this.classes, this.rmq.nameServer, topic, group, this.account);
    this.clients.push(consumer);
    await consumer.ready;
    const admin = remotingTransferAdmin(this.admin());
    const deadline = Date.now() + 30_000;
    while (!(await admin.topicConsumers(this.address(brokerName), topic)).includes(group)) {
      if (Date.now() > deadline) throw new Error(`consumer ${group} never registered on ${brokerName}:\n${consumer.tail()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return consumer;
  }

  /** The runner's log, to read when a phase is not the expected one. */
  expectPhase(state: TransferState | undefined, phase: TransferState['phase']): void {
    if (state?.phase !== phase)
      throw new Error(`phase ${state?.phase} (${state?.message}), expected ${phase}; runner log:\n${this.logs.join('\n')}`);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.clients.map(async (client) => {
        if (client.child.exitCode === null) client.child.kill('SIGKILL');
        await client.exited;
      }),
    );
    this.admins.forEach((admin) => admin.close());
  }
}

/** A port nothing listens on, for a broker that cannot be reached. */
export const closedPort = freePort;

/** Cluster info that points `brokerName` at `address` while `active()` holds: the runner then cannot reach it. */
export function redirectBroker(admin: TransferAdmin, brokerName: string, address: string, active: () => boolean): TransferAdmin {
  return {
    ...admin,
    async clusterInfo() {
      const info = await admin.clusterInfo();
      if (active()) info.brokers.get(brokerName)?.brokerAddrs.set(0, address);
      return info;
    },
  };
}

/**
 * Once a call `matches` has returned, every later call hangs: the runner is dead from there on, as
 * if its process were killed right after that change reached RocketMQ.
 */
export function killAfter(
  admin: TransferAdmin,
  matches: (op: keyof TransferAdmin, args: unknown[]) => boolean,
): { admin: TransferAdmin; killed: Promise<void> } {
  let dead = false;
  let markKilled!: () => void;
  const killed = new Promise<void>((resolve) => (markKilled = resolve));
  const wrapped = Object.fromEntries(
    (Object.keys(admin) as (keyof TransferAdmin)[]).map((op) => [
      op,
      async (...args: unknown[]) => {
        if (dead) return new Promise(() => {});
        const result = await (admin[op] as (...a: unknown[]) => Promise<unknown>)(...args);
        if (matches(op, args)) {
          dead = true;
          markKilled();
          return new Promise(() => {});
        }
        return result;
      },
    ]),
  ) as unknown as TransferAdmin;
  return { admin: wrapped, killed };
}

/** Makes a store stop the runner right after it records that step `step` started (once). */
export function killAtStepStart(store: MemoryTransferStore, step: number): void {
  let done = false;
  store.afterSave = (state) => {
    if (!done && state.steps[step - 1]?.phase === 'Running') {
      done = true;
      throw new Killed();
    }
  };
}

/**
 * One RocketMQ of `layout` for the test file, with the Java clients compiled beside it, and a fresh
 * RealWorld (producers, consumers, admin) for each test, closed after it.
 */
export function realRocketMQPerFile(layout: RocketMQLayout): { rmq: () => TestRocketMQ; world: () => RealWorld } {
  let rmq: TestRocketMQ | undefined;
  let classes: string;
  let world: RealWorld | undefined;
  beforeAll(async () => {
    [rmq, classes] = await Promise.all([startRocketMQ({ layout }), compileClients()]);
  }, 5 * 60_000);
  afterAll(async () => {
    await rmq?.stop();
  });
  beforeEach(() => {
    world = new RealWorld(rmq!, classes);
  });
  afterEach(async () => {
    await world?.close();
  });
  return { rmq: () => rmq!, world: () => world! };
}
