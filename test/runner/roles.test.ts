// The observer's and the hand-over's decisions, from what the name servers and controllers answer.
import { rolesByHost, roleChanges, observeRound, hostOf, type RoleChange } from '../../hooks/runner/roles/observe.js';
import { chooseSuccessor, controllerAddresses, groupSync } from '../../hooks/runner/roles/hand-over.js';
import { type HandOverCommand, parseArgs } from '../../hooks/jobs/runner-command.js';
import { decodeReplicasInfo } from '../../hooks/rocketmq/decode.js';
import { parseFastjson } from '../../hooks/rocketmq/fastjson.js';
import type { ClusterInfo } from '../../hooks/rocketmq/types.js';

function clusterInfo(groups: Record<string, Record<number, string>>, cluster = 'mq'): ClusterInfo {
  const brokers = new Map(
    Object.entries(groups).map(([brokerName, addrs]) => [
      brokerName,
      { cluster, brokerName, brokerAddrs: new Map(Object.entries(addrs).map(([id, a]) => [Number(id), a])) },
    ]),
  );
  return { brokers, clusters: new Map([[cluster, Object.keys(groups)]]) };
}

describe('roles from cluster info', () => {
  it('takes brokerId 0 as master and any other id as replica, by host', () => {
    const info = clusterInfo({ 'mq-0': { 0: '10.0.0.2:10911', 2: '10.0.0.1:10911' }, 'mq-1': { 0: '10.0.1.1:10911' } });
    expect(rolesByHost(info, 'mq')).toEqual(
      new Map([
        ['10.0.0.2', 'master'],
        ['10.0.0.1', 'replica'],
        ['10.0.1.1', 'master'],
      ]),
    );
  });

  it('ignores other clusters, and knows nothing when its cluster is not registered', () => {
    const info = clusterInfo({ 'other-0': { 0: '10.0.9.1:10911' } }, 'other');
    expect(rolesByHost(info, 'mq')).toBeUndefined();
  });

  it('reads IPv6 addresses', () => {
    expect(hostOf('[fd00::7]:10911')).toBe('fd00::7');
    expect(hostOf('fd00::7:10911')).toBe('fd00::7');
    expect(hostOf('10.0.0.7:10911')).toBe('10.0.0.7');
  });
});

describe('annotations to write', () => {
  const roles = new Map([
    ['10.0.0.1', 'master' as const],
    ['10.0.0.2', 'replica' as const],
  ]);

  it('writes only what changed, and removes the role of a pod not registered', () => {
    expect(
      roleChanges(roles, [
        { name: 'a', ip: '10.0.0.1', role: 'replica' },
        { name: 'b', ip: '10.0.0.2', role: 'replica' },
        { name: 'c', ip: '10.0.0.3', role: 'master' },
        { name: 'd', ip: '10.0.0.4' },
        { name: 'e' },
      ]),
    ).toEqual([
      { pod: 'a', role: 'master', before: 'replica' },
      { pod: 'c', before: 'master' },
    ]);
  });

  it('does one round: patches each change and logs one line for it, and writes nothing when the cluster is unknown', async () => {
    const written: RoleChange[] = [];
    const lines: string[] = [];
    const deps = {
      clusterInfo: async () => clusterInfo({ 'mq-0': { 0: '10.0.0.2:10911', 1: '10.0.0.1:10911' } }),
      listPods: async () => [
        { name: 'mq-0-0-0', ip: '10.0.0.1', role: 'master' as const },
        { name: 'mq-0-1-0', ip: '10.0.0.2', role: 'replica' as const },
      ],
      annotate: async (change: RoleChange) => void written.push(change),
      log: (line: string) => void lines.push(line),
    };
    await observeRound(deps, 'mq');
    expect(written).toEqual([
      { pod: 'mq-0-0-0', role: 'replica', before: 'master' },
      { pod: 'mq-0-1-0', role: 'master', before: 'replica' },
    ]);
    expect(lines).toEqual(['mq-0-0-0: master -> replica', 'mq-0-1-0: replica -> master']);
    await expect(observeRound(deps, 'elsewhere')).rejects.toThrow(/cluster elsewhere is not registered/);
    expect(written).toHaveLength(2);
  });
});

describe('the successor a hand-over asks for', () => {
  // As a 5.3.3 controller answers CONTROLLER_GET_SYNC_STATE_DATA.
  const body = (notInSyncAlive = true) =>
    parseFastjson(
      JSON.stringify({
        replicasInfoTable: {
          'mq-0': {
            masterBrokerId: 1,
            masterAddress: '10.0.0.1:10911',
            masterEpoch: 3,
            syncStateSetEpoch: 4,
            inSyncReplicas: [
              { brokerName: 'mq-0', brokerId: 1, brokerAddress: '10.0.0.1:10911', alive: true },
              { brokerName: 'mq-0', brokerId: 3, brokerAddress: '10.0.0.3:10911', alive: true },
            ],
            notInSyncReplicas: [{ brokerName: 'mq-0', brokerId: 2, brokerAddress: '10.0.0.2:10911', alive: notInSyncAlive }],
          },
        },
      }),
    );

  it('elects the first Ready broker that is in the sync state set', () => {
    const info = decodeReplicasInfo(body(), 'mq-0');
    expect(info?.inSync.map((r) => r.brokerId)).toEqual([1, 3]);
    expect(chooseSuccessor(info, '10.0.0.1', ['10.0.0.2', '10.0.0.3'])).toEqual({
      action: 'elect',
      brokerId: 3,
      address: '10.0.0.3:10911',
    });
  });

  it('refuses when no Ready broker is in sync, and does nothing when the master already moved', () => {
    const info = decodeReplicasInfo(body(), 'mq-0');
    expect(chooseSuccessor(info, '10.0.0.1', ['10.0.0.2'])).toMatchObject({
      action: 'refuse',
      reason: expect.stringMatching(/sync state set \(1@/),
    });
    expect(chooseSuccessor(info, '10.0.0.9', ['10.0.0.3'])).toMatchObject({ action: 'done' });
    expect(chooseSuccessor(decodeReplicasInfo(body(), 'mq-1'), '10.0.0.1', ['10.0.0.3'])).toMatchObject({ action: 'refuse' });
  });

  it('after the election, waits while an alive broker is outside the sync state set, and stops waiting under another master', () => {
    expect(groupSync(decodeReplicasInfo(body(), 'mq-0'), 1)).toEqual({
      state: 'wait',
      problem: 'broker 2 (10.0.0.2:10911) not in the sync state set',
    });
    // A broker that is down is not waited for: it joins when it is back.
    expect(groupSync(decodeReplicasInfo(body(false), 'mq-0'), 1)).toEqual({ state: 'whole' });
    expect(groupSync(decodeReplicasInfo(body(), 'mq-0'), 3)).toEqual({ state: 'stop', problem: 'the master is now broker 1' });
    expect(groupSync(undefined, 1)).toMatchObject({ state: 'stop' });
  });
});

describe('the controllers a hand-over asks', () => {
  const args = ['hand-over', '--cluster=mq', '--broker-name=mq-0', '--from-host=10.0.0.1', '--to-host=10.0.0.2'];

  it('takes a list as it is given', async () => {
    const command = parseArgs([...args, '--controllers=c-0.h:9878;c-1.h:9878']);
    await expect(controllerAddresses(command as HandOverCommand)).resolves.toEqual(['c-0.h:9878', 'c-1.h:9878']);
  });

  it('resolves a name to every address it has, each with the port, as brokers looking it up do', async () => {
    const command = parseArgs([...args, '--controllers-by-dns=localhost:9878']);
    const found = await controllerAddresses(command as HandOverCommand);
    expect(found.length).toBeGreaterThan(0);
    for (const address of found) expect(address).toMatch(/^(127\.0\.0\.1|::1):9878$/);
  });

  it('refuses both forms at once, or neither', () => {
    expect(() => parseArgs([...args, '--controllers=a:1', '--controllers-by-dns=b:2'])).toThrow(
      /either --controllers or --controllers-by-dns/,
    );
    expect(() => parseArgs(args)).toThrow(/either --controllers or --controllers-by-dns/);
  });
});
