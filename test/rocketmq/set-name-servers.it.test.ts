// The runner's name-server update against real RocketMQ 5.3.3 and 4.9.7: a running broker is given
// a new list with updateBrokerConfig and, without restarting, registers with exactly the new set of
// name servers. Two name servers run; the broker starts registered with the first only.
//
// What the brokers do (from apache/rocketmq's BrokerController): updateBrokerConfig only changes
// brokerConfig.namesrvAddr; a timer then hands it to the remoting client, which from then on sends
// the periodic registration (registerNameServerPeriod, 10 s here) to the new list only. In 5.x the
// timer runs every updateNameServerAddrPeriod (2 min by default; 1 s here), in 4.9.4 to 4.9.8 every
// 2 minutes, first 10 s after start (not configurable); before 4.9.4 there is no such timer. A name
// server taken out of the list is not told: it drops the broker's route 2 minutes after the last
// registration. To see that registrations stop, the test restarts that name server empty and
// watches that the broker never registers with it again.
import { jest } from '@jest/globals';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { runRunner } from '../../hooks/runner/main.js';
import { describeWithRocketMQ, startRocketMQ, type TestRocketMQ } from '../support/rocketmq.js';

jest.setTimeout(240_000);

const REGISTER_PERIOD_MS = 10_000;

for (const version of ['5.3.3', '4.9.7']) {
  const v4 = version.startsWith('4.');
  /** When a 4.9.x broker takes a new list: at most 2 minutes after the update, plus a registration. */
  const takeUpMs = v4 ? 165_000 : 45_000;

  describeWithRocketMQ(
    `name-server update of a running RocketMQ ${version} broker`,
    () => {
      let mq: TestRocketMQ;
      let address: string;
      let pid: number;
      let ns0: string;
      let ns1: string;
      const output: string[] = [];
      const io = { stdout: (line: string) => output.push(line), stderr: (line: string) => output.push(line) };

      beforeAll(async () => {
        mq = await startRocketMQ({
          version,
          brokerCount: 1,
          nameServerCount: 2,
          brokerNameServers: [0],
          // 5.x re-reads namesrvAddr on this timer (2 minutes by default); 4.9.x ignores the key.
          brokerProperties: { updateNameServerAddrPeriod: 1000 },
        });
        [ns0, ns1] = mq.nameServers;
        address = mq.broker('broker-a').address;
        pid = mq.brokerProcess('broker-a').pid;
        console.log(`RocketMQ ${mq.version}: broker-a (pid ${pid}) started in ${mq.startupMs} ms, registered with ${ns0}`);
      }, 240_000);

      afterAll(async () => {
        await mq?.stop();
      });

      /** The address broker-a is registered with on one name server, if it is. */
      async function registeredOn(nameServer: string): Promise<string | undefined> {
        const admin = new RocketMQAdmin({ nameServers: nameServer, timeoutMs: 2000, connectTimeoutMs: 1000 });
        try {
          return (await admin.clusterInfo()).brokers.get('broker-a')?.brokerAddrs.get(0);
        } finally {
          admin.close();
        }
      }

      async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<number> {
        const started = Date.now();
        while (!(await probe())) {
          if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        return Date.now() - started;
      }

      async function brokerNameServers(): Promise<string | undefined> {
        const admin = new RocketMQAdmin({ timeoutMs: 2000 });
        try {
          return (await admin.brokerConfig(address)).namesrvAddr;
        } finally {
          admin.close();
        }
      }

      async function setNameServers(list: string): Promise<void> {
        output.length = 0;
        const code = await runRunner(['set-name-servers', `--namesrv=${list}`, `--broker-addr=${address}`], io);
        expect({ code, output }).toMatchObject({ code: 0 });
        expect(JSON.parse(output[0])).toMatchObject({ nameServers: list, updated: 1, unchanged: 0 });
        expect(await brokerNameServers()).toBe(list);
      }

      function expectSameProcess(): void {
        expect(mq.brokerProcess('broker-a')).toEqual({ pid, running: true });
      }

      it('registers with a name server added to its list, still with the first, and is not restarted', async () => {
        expect(await registeredOn(ns0)).toBe(address);
        expect(await registeredOn(ns1)).toBeUndefined();

        await setNameServers(`${ns0};${ns1}`);
        const tookMs = await until(`broker-a registered with ${ns1}`, takeUpMs, async () => (await registeredOn(ns1)) === address);
        console.log(`RocketMQ ${version}: broker-a registered with the added name server ${tookMs} ms after the update`);
        expect(await registeredOn(ns0)).toBe(address);
        // Running it again changes nothing.
        output.length = 0;
        expect(await runRunner(['set-name-servers', `--namesrv=${ns0};${ns1}`, `--broker-addr=${address}`], io)).toBe(0);
        expect(JSON.parse(output[0])).toMatchObject({ updated: 0, unchanged: 1 });
        expectSameProcess();
      });

      it('stops registering with a name server taken out of its list, and registers with exactly the new set', async () => {
        // While the first name server is in its list, the broker registers with it again after it restarts empty.
        await mq.restartNameServer(0);
        await until(
          `broker-a registered again with the restarted ${ns0}`,
          REGISTER_PERIOD_MS + 10_000,
          async () => (await registeredOn(ns0)) === address,
        );

        await setNameServers(ns1);
        // Once the broker has taken the list, a restarted (empty) first name server stays without it.
        const updated = Date.now();
        for (;;) {
          await mq.restartNameServer(0);
          await new Promise((r) => setTimeout(r, REGISTER_PERIOD_MS + 3_000));
          if ((await registeredOn(ns0)) === undefined) break;
          if (Date.now() - updated > takeUpMs)
            throw new Error(`broker-a still registers with ${ns0} ${takeUpMs} ms after it was taken out`);
        }
        console.log(`RocketMQ ${version}: broker-a stopped registering with the removed name server within ${Date.now() - updated} ms`);

        // Both restarted empty: after two registration periods, only the one in the list knows the broker.
        await Promise.all([mq.restartNameServer(0), mq.restartNameServer(1)]);
        await until(`broker-a registered with ${ns1}`, REGISTER_PERIOD_MS + 10_000, async () => (await registeredOn(ns1)) === address);
        await new Promise((r) => setTimeout(r, REGISTER_PERIOD_MS + 3_000));
        expect({ [ns0]: await registeredOn(ns0), [ns1]: await registeredOn(ns1) }).toEqual({ [ns0]: undefined, [ns1]: address });
        expect(await brokerNameServers()).toBe(ns1);
        expectSameProcess();
      });
    },
    version,
  );
}
