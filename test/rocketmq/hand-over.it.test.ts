// The hand-over against real RocketMQ 5.3.3: three controllers (the files a Controller renders), a
// name server and two controller-mode brokers of one group, the second registering as 127.0.0.2 as
// each broker pod registers its own IP. The `hand-over` command makes the controller leader elect the
// in-sync replica; the name servers then report it master, and the observer's round swaps the roles.
import { jest } from '@jest/globals';
import { controllerHooks } from '../../hooks/controller/hooks.js';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { RemotingClient } from '../../hooks/rocketmq/client.js';
import { controllerLeader, replicasInfo } from '../../hooks/rocketmq/controller.js';
import { runRunner } from '../../hooks/runner/main.js';
import { NO_ELIGIBLE_REPLICA_EXIT } from '../../hooks/runner/roles/hand-over.js';
import { hostOf, observeRound, type BrokerPod, type RoleChange } from '../../hooks/runner/roles/observe.js';
import { customResource, syncRequest } from '../support/hook-requests.js';
import { startControllers, type TestControllerGroup } from '../support/rocketmq-controllers.js';
import { describeWithRocketMQ, startBrokerLike, startRocketMQ, until, type Daemon, type TestRocketMQ } from '../support/rocketmq.js';

jest.setTimeout(240_000);

describeWithRocketMQ('hand-over of a controller-mode master', () => {
  let controllers: TestControllerGroup;
  let mq: TestRocketMQ;
  let second: Daemon;
  let admin: RocketMQAdmin;
  let client: RemotingClient;
  let controllerAddr: string;
  const output: string[] = [];
  const io = { stdout: (line: string) => output.push(line), stderr: (line: string) => output.push(line) };
  const master = async () => (await admin.clusterInfo()).brokers.get('mq-0')?.brokerAddrs.get(0);

  beforeAll(async () => {
    const response = controllerHooks.sync(syncRequest(customResource('Controller', 'ctl', { size: 3 }, 'mq')), new Date());
    const configMap = response.children.find((c) => c.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
    controllers = await startControllers(configMap.data, response.status.addresses ?? []);
    controllerAddr = controllers.controllers.map((c) => c.address).join(';');
    client = new RemotingClient({ timeoutMs: 3000 });
    await until('a controller leader', () => controllerLeader(client, controllerAddr.split(';')), 60_000);
    const properties = { enableControllerMode: true, controllerAddr, brokerId: -1, brokerRole: 'SLAVE' };
    mq = await startRocketMQ({ names: [{ clusterName: 'mq', brokerName: 'mq-0' }], brokerProperties: properties, timeoutMs: 120_000 });
    admin = new RocketMQAdmin({ nameServers: mq.nameServer, timeoutMs: 2000 });
    second = await startBrokerLike(mq, 'mq-0-second', { brokerIP1: '127.0.0.2' });
    // Both in the sync state set: the second broker caught up with the master.
    await until(
      'the second broker in the sync state set',
      async () => {
        const leader = await controllerLeader(client, controllerAddr.split(';'));
        const info = await replicasInfo(client, leader, 'mq-0');
        return info && info.inSync.length === 2 ? info : undefined;
      },
      90_000,
    );
  }, 240_000);

  afterAll(async () => {
    admin?.close();
    client?.close();
    second?.child.kill('SIGKILL');
    await second?.exited;
    await mq?.stop();
    await controllers?.stop();
  });

  const handOver = (from: string, to: string, settle: string[] = []) =>
    runRunner(
      [
        'hand-over',
        `--controllers=${controllerAddr}`,
        '--cluster=mq',
        '--broker-name=mq-0',
        `--from-host=${from}`,
        `--to-host=${to}`,
        ...settle,
      ],
      io,
    );

  it('refuses a successor that is not in the sync state set, changing nothing', async () => {
    expect(hostOf((await master())!)).toBe('127.0.0.1');
    expect(await handOver('127.0.0.1', '127.0.0.9')).toBe(NO_ELIGIBLE_REPLICA_EXIT);
    expect(output.pop()).toMatch(/none of 127\.0\.0\.9 is an alive replica in the sync state set/);
    expect(hostOf((await master())!)).toBe('127.0.0.1');
  });

  it('has the controller elect the in-sync replica, which the name servers then report master, and ends once the old master is in sync again', async () => {
    const started = Date.now();
    expect(await handOver('127.0.0.1', '127.0.0.2', ['--settle-seconds=90'])).toBe(0);
    // The election leaves the new master alone in the sync state set; the old master, now a
    // replica, is back in it once it has the new master's address and has caught up.
    const [handed, settled] = output.splice(-2);
    expect(handed).toMatch(/mq\/mq-0: master handed from 127\.0\.0\.1 to broker \d+ \(127\.0\.0\.2:\d+\)/);
    expect(settled).toMatch(/^mq\/mq-0: every alive broker in sync with the new master after \d+\.\d s$/);
    const info = await replicasInfo(client, await controllerLeader(client, controllerAddr.split(';')), 'mq-0');
    expect(
      info?.inSync
        .filter((r) => r.alive)
        .map((r) => hostOf(r.brokerAddress))
        .sort(),
    ).toEqual(['127.0.0.1', '127.0.0.2']);
    console.log(`hand-over: ${settled}`);
    await until(
      'the new master on the name server',
      async () => (hostOf((await master()) ?? '') === '127.0.0.2' ? true : undefined),
      60_000,
    );
    console.log(`hand-over: name server reports the new master ${Date.now() - started} ms after the command started`);
    const pods: BrokerPod[] = [
      { name: 'mq-0-0-0', ip: '127.0.0.1', role: 'master' },
      { name: 'mq-0-1-0', ip: '127.0.0.2', role: 'replica' },
    ];
    const changes: RoleChange[] = [];
    await until(
      'both roles reported',
      async () => {
        const round = await observeRound(
          {
            clusterInfo: () => admin.clusterInfo(),
            listPods: async () => pods,
            annotate: async (c) => void changes.push(c),
            log: () => undefined,
          },
          'mq',
        );
        return round.length === 2 ? round : undefined;
      },
      60_000,
    );
    expect(changes.slice(-2)).toEqual([
      { pod: 'mq-0-0-0', role: 'replica', before: 'master' },
      { pod: 'mq-0-1-0', role: 'master', before: 'replica' },
    ]);
  });

  it('does nothing once the master is another broker, but still waits for the replicas when asked to (a retried Job)', async () => {
    expect(await handOver('127.0.0.1', '127.0.0.2')).toBe(0);
    expect(output.pop()).toMatch(/the master is 127\.0\.0\.2:\d+, not 127\.0\.0\.1; nothing to hand over/);
    expect(await handOver('127.0.0.1', '127.0.0.2', ['--settle-seconds=30'])).toBe(0);
    expect(output.splice(-2)).toEqual([
      expect.stringMatching(/nothing to hand over$/),
      expect.stringMatching(/^mq\/mq-0: every alive broker in sync with the new master after \d+\.\d s$/),
    ]);
  });
});
