// Changes that restart pods, and one that must not: name servers and brokers are replaced one at a
// time, replicas before their masters, and a roll goes on after the hook service dies in the middle
// of it; a grown NameService restarts no broker, whose running brokers are sent the new list only
// once the new name server is Ready.
import { systemSkipReason } from './support/binaries.js';
import { startFakeBroker, type FakeBroker } from '../rocketmq/fake-broker.js';
import { expectNothingDeletedSince, expectSteadyState } from './support/checks.js';
import { PodTimeline } from './support/pod-timeline.js';
import { systemPerFile } from './support/system.js';

const skip = systemSkipReason('the system tests');
const MINUTE = 60_000;
const BROKER_PODS = ['broker-0-replica-1-0', 'broker-0-master-0', 'broker-1-replica-1-0', 'broker-1-master-0'];

(skip ? describe.skip : describe)('rolling updates', () => {
  const system = systemPerFile('rolling updates');
  let since: number;
  let standIn: FakeBroker | undefined;

  afterAll(async () => {
    await standIn?.close();
  });

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
    'a NameService that grows restarts no name server and no broker: once the new name server is Ready, a runner Job sends running brokers the new list',
    async () => {
      const sys = system();
      const nameServersOf = (size: number) =>
        Array.from({ length: size }, (_, i) => `name-service-${i}.name-service.default.svc:9876`).join(';');
      // There are no real brokers here: one stand-in answers for every broker pod's DNS name.
      standIn = await startFakeBroker({ brokerName: 'broker-0', clusterName: 'broker', namesrvAddr: nameServersOf(3) });
      sys.kubelet.brokers.set('default', standIn.address);
      const updateJobs = async () => sys.list('jobs', 'default', 'rocketmq.apache.org/name-server-update=broker');
      type ConfigMap = { metadata: { name: string; annotations?: Record<string, string> }; data: Record<string, string> };
      const brokerConf = async () => (await sys.list<ConfigMap>('configmaps')).find((c) => c.metadata.name === 'broker-broker-conf');
      const templatesBefore = (await sys.list('statefulsets', 'default', 'app.kubernetes.io/component=broker')).map((s) => [
        s.metadata!.name,
        JSON.stringify(s.spec.template),
      ]);

      sys.plane.heldClaims.add('default/namesrv-storage-name-service-3');
      const names = await PodTimeline.start(sys, ['name-service-0', 'name-service-1', 'name-service-2', 'name-service-3']);
      const brokers = await PodTimeline.start(sys, BROKER_PODS);
      await sys.kubectlOk(['patch', 'nameservice', 'name-service', '--type=merge', '-p', '{"spec":{"size":4}}']);
      // name-service-3 waits for its volume: it exists but is not Ready. Brokers are told nothing yet.
      try {
        await sys.waitFor('name-service-3 created', async () =>
          (await sys.list('pods')).some((p) => p.metadata!.name === 'name-service-3'),
        );
        await new Promise((r) => setTimeout(r, 25_000));
        expect({
          jobs: (await updateJobs()).map((j) => j.metadata!.name),
          configMap: (await brokerConf())?.data.namesrvAddr,
          sent: standIn.configUpdates,
          replaced: brokers.replacementOrder(),
        }).toEqual({ jobs: [], configMap: nameServersOf(3), sent: [], replaced: [] });
      } finally {
        sys.plane.heldClaims.clear();
      }
      await sys.waitFor('4 name servers Ready', async () => (await sys.parent('NameService', 'name-service'))?.status?.readyReplicas === 4);

      // The Broker takes the new list at its next sync after the NameService reports it: the ConfigMap
      // has it at once, and a runner Job (run for real by the job kubelet) sends it to every broker.
      const update = await sys.waitFor(
        'the new list applied to running brokers',
        async () => {
          const status = (await sys.parent('Broker', 'broker'))?.status;
          const applied = status?.nameServerUpdate as { phase: string; nameServers: string; job: string } | undefined;
          return applied?.phase === 'Applied' && applied.nameServers === nameServersOf(4) && applied;
        },
        3 * MINUTE,
      );
      expect((await brokerConf())?.data.namesrvAddr).toBe(nameServersOf(4));
      const created = sys
        .writesSince(since)
        .filter((w) => w.verb === 'create' && w.resource === 'jobs' && w.name?.startsWith('broker-namesrv-'));
      expect(created.map((w) => w.name)).toEqual([update.job]);
      expect(created[0].at).toBeGreaterThan(names.firstReadyAt('name-service-3')!);
      const run = sys.kubelet.exits.filter((e) => e.job === update.job);
      expect(run.map((e) => e.code)).toEqual([0]);
      expect(run[0].args).toEqual([
        'set-name-servers',
        `--namesrv=${nameServersOf(4)}`,
        `--broker-addr=${BROKER_PODS.map((p) => `${p}.broker-brokers.default.svc:10911`).join(',')}`,
      ]);
      expect(standIn.config.get('namesrvAddr')).toBe(nameServersOf(4));
      expect(standIn.configUpdates.every((u) => u === `namesrvAddr=${nameServersOf(4)}\n`)).toBe(true);
      // Its work observed, the Job goes; the ConfigMap keeps the mark.
      await sys.waitFor('the update Job removed', async () => (await updateJobs()).length === 0);
      expect((await brokerConf())?.metadata.annotations).toMatchObject({
        'rocketmq.apache.org/name-servers-applied': nameServersOf(4),
        'rocketmq.apache.org/name-servers-applied-by': update.job,
      });

      await Promise.all([names.stop(), brokers.stop()]);
      expect(names.replacementOrder()).toEqual([]);
      expect(brokers.replacementOrder()).toEqual([]);
      const templatesAfter = (await sys.list('statefulsets', 'default', 'app.kubernetes.io/component=broker')).map((s) => [
        s.metadata!.name,
        JSON.stringify(s.spec.template),
      ]);
      expect(templatesAfter).toEqual(templatesBefore);
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
