// Changes that restart pods: name servers and brokers are replaced one at a time, brokers only once
// the name servers they are told about are Ready, replicas before their masters, and a roll goes on
// after the hook service dies in the middle of it.
import { systemSkipReason } from './support/binaries.js';
import { expectNothingDeletedSince, expectSteadyState } from './support/checks.js';
import { PodTimeline } from './support/pod-timeline.js';
import { systemPerFile } from './support/system.js';

const skip = systemSkipReason('the system tests');
const MINUTE = 60_000;
const BROKER_PODS = ['broker-0-replica-1-0', 'broker-0-master-0', 'broker-1-replica-1-0', 'broker-1-master-0'];

(skip ? describe.skip : describe)('rolling updates', () => {
  const system = systemPerFile('rolling updates');
  let since: number;

  beforeAll(async () => {
    const sys = system();
    await sys.apply(sys.example('nameservice.yaml'));
    await sys.apply(sys.example('broker.yaml'));
    await sys.waitFor('Broker Ready', async () => (await sys.condition('Broker', 'broker', 'Ready'))?.status === 'True', 3 * MINUTE);
    since = Date.now();
  }, 5 * MINUTE);

  afterEach(() => expectNothingDeletedSince(system(), since));

  async function brokerRollDone(image?: string): Promise<void> {
    const sys = system();
    await sys.waitFor(
      'every broker pod up to date and Ready',
      async () => {
        const broker = await sys.parent('Broker', 'broker');
        const pods =
          (broker?.status?.groups as { pods: { ready: boolean; upToDate: boolean }[] }[] | undefined)?.flatMap((g) => g.pods) ?? [];
        const progressing = broker?.status?.conditions?.find((c) => c.type === 'Progressing');
        const images = image
          ? (await sys.list('pods', 'default', 'app.kubernetes.io/component=broker')).map((p) => p.spec.containers[0].image)
          : [];
        return (
          pods.length === 4 &&
          pods.every((p) => p.ready && p.upToDate) &&
          progressing?.status === 'False' &&
          images.every((i) => i === image)
        );
      },
      4 * MINUTE,
    );
  }

  function expectReplicasFirst(order: string[]): void {
    for (const group of ['broker-0', 'broker-1']) {
      expect(order.indexOf(`${group}-replica-1-0`)).toBeLessThan(order.indexOf(`${group}-master-0`));
    }
  }

  it(
    'a NameService that grows restarts no name server, and brokers restart only once the new name server is Ready, one at a time, replicas first',
    async () => {
      const sys = system();
      sys.plane.heldClaims.add('default/namesrv-storage-name-service-3');
      const names = await PodTimeline.start(sys, ['name-service-0', 'name-service-1', 'name-service-2']);
      const brokers = await PodTimeline.start(sys, BROKER_PODS);
      await sys.kubectlOk(['patch', 'nameservice', 'name-service', '--type=merge', '-p', '{"spec":{"size":4}}']);
      // name-service-3 waits for its volume: it exists but is not Ready.
      try {
        await sys.waitFor('name-service-3 created', async () =>
          (await sys.list('pods')).some((p) => p.metadata!.name === 'name-service-3'),
        );
        await new Promise((r) => setTimeout(r, 25_000));
        expect({ restartedBeforeNameServerReady: brokers.replacementOrder() }).toEqual({ restartedBeforeNameServerReady: [] });
      } finally {
        sys.plane.heldClaims.clear();
      }
      await sys.waitFor('4 name servers Ready', async () => (await sys.parent('NameService', 'name-service'))?.status?.readyReplicas === 4);
      // The Broker takes the new list at its next sync after the NameService reports it: only then does the roll start.
      await sys.waitFor('brokers given 4 name servers', async () => {
        const listed = (await sys.parent('Broker', 'broker'))?.status?.nameServers;
        return typeof listed === 'string' && listed.split(';').length === 4;
      });
      await brokerRollDone();
      await Promise.all([names.stop(), brokers.stop()]);
      expect(names.replacementOrder()).toEqual([]);
      expect(brokers.replacementOrder().sort()).toEqual([...BROKER_PODS].sort());
      expect(brokers.maxUnavailable()).toBe(1);
      expectReplicasFirst(brokers.replacementOrder());
      await expectSteadyState(sys);
    },
    8 * MINUTE,
  );

  it(
    'a NameService image change replaces its name servers one at a time',
    async () => {
      const sys = system();
      const pods = ['name-service-0', 'name-service-1', 'name-service-2', 'name-service-3'];
      const timeline = await PodTimeline.start(sys, pods);
      await sys.kubectlOk([
        'patch',
        'nameservice',
        'name-service',
        '--type=merge',
        '-p',
        '{"spec":{"nameServiceImage":"apache/rocketmq:5.3.2"}}',
      ]);
      await sys.waitFor(
        'every name server on the new image and Ready',
        async () => {
          const current = (await sys.list('pods')).filter((p) => pods.includes(p.metadata!.name!));
          return (
            current.length === 4 &&
            current.every(
              (p) =>
                p.spec.containers[0].image === 'apache/rocketmq:5.3.2' &&
                p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'),
            )
          );
        },
        3 * MINUTE,
      );
      await timeline.stop();
      expect(timeline.replacementOrder().sort()).toEqual(pods);
      expect(timeline.maxUnavailable()).toBe(1);
      await expectSteadyState(sys);
    },
    6 * MINUTE,
  );

  it(
    'a Broker image change restarts one broker pod at a time, replicas before their masters',
    async () => {
      const sys = system();
      const timeline = await PodTimeline.start(sys, BROKER_PODS);
      await sys.kubectlOk(['patch', 'broker', 'broker', '--type=merge', '-p', '{"spec":{"brokerImage":"apache/rocketmq:5.3.2"}}']);
      await brokerRollDone('apache/rocketmq:5.3.2');
      await timeline.stop();
      expect(timeline.replacementOrder().sort()).toEqual([...BROKER_PODS].sort());
      expect(timeline.maxUnavailable()).toBe(1);
      expectReplicasFirst(timeline.replacementOrder());
      await expectSteadyState(sys);
    },
    6 * MINUTE,
  );

  it(
    'a roll goes on after the hook service is killed in the middle of it and started again, deleting nothing',
    async () => {
      const sys = system();
      const timeline = await PodTimeline.start(sys, BROKER_PODS);
      await sys.kubectlOk(['patch', 'broker', 'broker', '--type=merge', '-p', '{"spec":{"brokerImage":"apache/rocketmq:5.3.3"}}']);
      await sys.waitFor('the first broker pod replaced', async () => timeline.replacementOrder().length >= 1);
      await sys.hooks.kill();
      await new Promise((r) => setTimeout(r, 10_000));
      const duringOutage = timeline.replacementOrder().length;
      await sys.hooks.restart();
      await brokerRollDone('apache/rocketmq:5.3.3');
      await timeline.stop();
      expect(duringOutage).toBeLessThan(4);
      expect(timeline.replacementOrder().sort()).toEqual([...BROKER_PODS].sort());
      expect(timeline.maxUnavailable()).toBe(1);
      await expectSteadyState(sys);
    },
    6 * MINUTE,
  );
});
