// The name-server update of the runner against in-memory brokers: what it writes, what it leaves
// alone, how it fails. test/rocketmq/set-name-servers.it.test.ts runs it against real RocketMQ.
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { RequestCode, ResponseCode } from '../../hooks/rocketmq/codes.js';
import { runRunner } from '../../hooks/runner/main.js';
import { setNameServers, SetNameServersError } from '../../hooks/runner/set-name-servers.js';
import { closedAddress } from './fake-server.js';
import { startFakeBroker, type FakeBroker } from './fake-broker.js';

const noWait = { attempts: 3, backoffMs: 1, sleep: async () => undefined };
const OLD = 'ns-0.ns.mq.svc:9876';
const NEW = 'ns-0.ns.mq.svc:9876;ns-1.ns.mq.svc:9876';

describe('set-name-servers', () => {
  const brokers: FakeBroker[] = [];
  let admin: RocketMQAdmin;

  async function broker(options: Partial<Parameters<typeof startFakeBroker>[0]> = {}): Promise<FakeBroker> {
    const started = await startFakeBroker({ brokerName: `broker-${brokers.length}`, clusterName: 'c', namesrvAddr: OLD, ...options });
    brokers.push(started);
    return started;
  }

  beforeEach(() => {
    admin = new RocketMQAdmin({ timeoutMs: 1000, connectTimeoutMs: 500 });
  });
  afterEach(async () => {
    admin.close();
    await Promise.all(brokers.splice(0).map((b) => b.close()));
  });

  it('sends every broker the list and reads it back; a second run writes nothing', async () => {
    const [a, b] = [await broker(), await broker({ namesrvAddr: NEW })];
    const summary = await setNameServers(admin, { nameServers: NEW, brokers: [a.address, b.address], retry: noWait });
    expect(summary).toMatchObject({
      nameServers: NEW,
      brokers: [
        { address: a.address, brokerName: 'broker-0', before: OLD, updated: true },
        { address: b.address, brokerName: 'broker-1', before: NEW, updated: false },
      ],
      updated: 1,
      unchanged: 1,
    });
    expect(a.configUpdates).toEqual([`namesrvAddr=${NEW}\n`]);
    expect(b.configUpdates).toEqual([]);
    expect(a.config.get('namesrvAddr')).toBe(NEW);

    const again = await setNameServers(admin, { nameServers: NEW, brokers: [a.address, b.address], retry: noWait });
    expect(again).toMatchObject({ updated: 0, unchanged: 2 });
    expect(a.configUpdates).toHaveLength(1);
  });

  it('takes away name servers as well: the broker holds exactly the list given', async () => {
    const a = await broker({ namesrvAddr: NEW });
    await setNameServers(admin, { nameServers: OLD, brokers: [a.address], retry: noWait });
    expect(a.config.get('namesrvAddr')).toBe(OLD);
  });

  it('retries a busy broker', async () => {
    const a = await broker();
    a.failures.set(RequestCode.UPDATE_BROKER_CONFIG, [ResponseCode.SYSTEM_BUSY]);
    await setNameServers(admin, { nameServers: NEW, brokers: [a.address], retry: noWait });
    expect(a.config.get('namesrvAddr')).toBe(NEW);
  });

  it('updates every broker it reaches and names the ones it did not', async () => {
    const a = await broker();
    const gone = await closedAddress();
    const error = await setNameServers(admin, { nameServers: NEW, brokers: [a.address, gone], retry: noWait }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetNameServersError);
    expect((error as SetNameServersError).message).toMatch(new RegExp(`^cannot reach broker ${gone}: `));
    expect((error as SetNameServersError).done).toEqual([{ address: a.address, brokerName: 'broker-0', before: OLD, updated: true }]);
    expect(a.config.get('namesrvAddr')).toBe(NEW);
  });

  it('fails when a broker does not keep the list', async () => {
    const a = await broker({ dropConfigUpdates: true });
    await expect(setNameServers(admin, { nameServers: NEW, brokers: [a.address], retry: noWait })).rejects.toThrow(
      `broker broker-0 (${a.address}) still holds namesrvAddr=${OLD} after 3 updates`,
    );
    expect(a.configUpdates).toHaveLength(3);
  });

  it('refuses a broker older than 4.9.4, which takes a new list only when it restarts, and writes nothing to it', async () => {
    const a = await broker({ version: 400 });
    await expect(setNameServers(admin, { nameServers: NEW, brokers: [a.address], retry: noWait })).rejects.toThrow(
      /runs a RocketMQ older than 4\.9\.4 \(version ordinal 400\), which reads namesrvAddr only when it starts/,
    );
    expect(a.configUpdates).toEqual([]);
    // Restarted with the list (from the ConfigMap), it passes.
    const restarted = await broker({ version: 400, namesrvAddr: NEW });
    expect(await setNameServers(admin, { nameServers: NEW, brokers: [restarted.address], retry: noWait })).toMatchObject({ unchanged: 1 });
    const current = await broker({ version: 401 });
    await setNameServers(admin, { nameServers: NEW, brokers: [current.address], retry: noWait });
    expect(current.config.get('namesrvAddr')).toBe(NEW);
  });

  it('runs as the runner command a Job gives, printing a summary, and exits 1 with the reason', async () => {
    const a = await broker();
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) };
    expect(await runRunner(['set-name-servers', `--namesrv=${NEW}`, `--broker-addr=${a.address}`, '--backoff-ms=1'], io)).toBe(0);
    expect(JSON.parse(out[0])).toMatchObject({ nameServers: NEW, updated: 1 });
    expect(a.config.get('namesrvAddr')).toBe(NEW);

    const gone = await closedAddress();
    const code = await runRunner(
      ['set-name-servers', `--namesrv=${OLD}`, `--broker-addr=${a.address},${gone}`, '--attempts=2', '--backoff-ms=1', '--timeout-ms=500'],
      io,
    );
    expect(code).toBe(1);
    expect(err.at(-1)).toMatch(new RegExp(`^set-name-servers: cannot reach broker ${gone}`));
    expect(JSON.parse(out.at(-1)!)).toEqual({ done: [{ address: a.address, brokerName: 'broker-0', before: NEW, updated: true }] });
    expect(await runRunner(['set-name-servers', `--namesrv=${NEW}`], io)).toBe(2);
  });
});
