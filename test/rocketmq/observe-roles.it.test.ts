// The role observer's RocketMQ side against real RocketMQ 5.3.3: a name server, a master and its
// slave (the slave registering as 127.0.0.2, as each broker pod registers its own pod IP). One round
// reads the cluster info and works out each pod's role; when the master dies the name server drops
// it at once and its pod loses the annotation.
import { jest } from '@jest/globals';
import { RocketMQAdmin } from '../../hooks/rocketmq/admin.js';
import { observeRound, rolesByHost, type BrokerPod, type RoleChange } from '../../hooks/runner/roles/observe.js';
import { describeWithRocketMQ, startBrokerLike, startRocketMQ, until, type Daemon, type TestRocketMQ } from '../support/rocketmq.js';

jest.setTimeout(180_000);

describeWithRocketMQ('observe-roles against a master and its slave', () => {
  let mq: TestRocketMQ;
  let slave: Daemon;
  let admin: RocketMQAdmin;
  /** The pods as the observer would list them: the master's and the slave's pod IPs. */
  const pods: BrokerPod[] = [
    { name: 'mq-0-master-0', ip: '127.0.0.1' },
    { name: 'mq-0-replica-1-0', ip: '127.0.0.2' },
  ];
  const lines: string[] = [];
  const deps = {
    clusterInfo: () => admin.clusterInfo(),
    listPods: async () => pods.map((p) => ({ ...p })),
    annotate: async ({ pod, role }: RoleChange) => {
      const found = pods.find((p) => p.name === pod)!;
      if (role) found.role = role;
      else delete found.role;
    },
    log: (line: string) => void lines.push(line),
  };

  beforeAll(async () => {
    mq = await startRocketMQ({ names: [{ clusterName: 'mq', brokerName: 'mq-0' }] });
    admin = new RocketMQAdmin({ nameServers: mq.nameServer, timeoutMs: 2000 });
    // The slave: the master's broker.conf with its own id, role and address.
    slave = await startBrokerLike(mq, 'mq-0-slave', { brokerId: '1', brokerRole: 'SLAVE', brokerIP1: '127.0.0.2' });
    const registered = async () => ((await admin.clusterInfo()).brokers.get('mq-0')?.brokerAddrs.has(1) ? true : undefined);
    await until('the slave to register', registered, 60_000);
  });

  afterAll(async () => {
    admin?.close();
    slave?.child.kill('SIGKILL');
    await slave?.exited;
    await mq?.stop();
  });

  it('maps the registered addresses to master and replica', async () => {
    expect(rolesByHost(await admin.clusterInfo(), 'mq')).toEqual(
      new Map([
        ['127.0.0.1', 'master'],
        ['127.0.0.2', 'replica'],
      ]),
    );
    expect(rolesByHost(await admin.clusterInfo(), 'another-cluster')).toBeUndefined();
  });

  it('annotates each pod once, and takes the role off a master that is gone', async () => {
    expect(await observeRound(deps, 'mq')).toEqual([
      { pod: 'mq-0-master-0', role: 'master' },
      { pod: 'mq-0-replica-1-0', role: 'replica' },
    ]);
    expect(await observeRound(deps, 'mq')).toEqual([]);
    process.kill(mq.brokerProcess('mq-0').pid, 'SIGKILL');
    const started = Date.now();
    await until('the master to be dropped', async () => ((await observeRound(deps, 'mq')).length > 0 ? true : undefined), 30_000);
    const seconds = (Date.now() - started) / 1000;
    expect(pods).toEqual([
      { name: 'mq-0-master-0', ip: '127.0.0.1' },
      { name: 'mq-0-replica-1-0', ip: '127.0.0.2', role: 'replica' },
    ]);
    expect(lines).toEqual([
      'mq-0-master-0: unknown -> master',
      'mq-0-replica-1-0: unknown -> replica',
      'mq-0-master-0: master -> unknown (not registered)',
    ]);
    // The name server drops a broker when its connection closes, not after the 120 s expiry.
    expect(seconds).toBeLessThan(20);
  });
});
