// A Broker in controller mode on the whole system: its role observer and that identity's access are
// created, the roles written on the broker pods reach status, and a roll restarts the reported
// master last, after its hand-over Job. Nothing here runs RocketMQ's controllers, so the test writes
// the roles as the observer's ServiceAccount (the observer's own rounds are tested against RocketMQ
// in observe-roles-command.it.test.ts) and the hand-over Job, run for real by the job kubelet, finds
// no controller and fails: the master then restarts as it is.
import { type KubernetesObject, Watch } from '@kubernetes/client-node';
import { systemSkipReason } from './support/binaries.js';
import { expectNothingDeletedSince, expectSteadyState } from './support/checks.js';
import { recordFigure } from './support/figures.js';
import { PodTimeline } from './support/pod-timeline.js';
import { until } from './support/processes.js';
import { systemPerFile, type System } from './support/system.js';

const skip = systemSkipReason('the system tests');
const MINUTE = 60_000;
const BROKER = 'broker-ha';
const OBSERVER = `system:serviceaccount:default:${BROKER}-roles`;
const PODS = [0, 1, 2].map((r) => `${BROKER}-0-${r}-0`);
const ROLE = 'rocketmq.apache.org/role';
/** The latency the role observer promises for a new master in status. */
const STATUS_WITHIN_MS = 30_000;

interface BrokerStatus {
  masters?: string;
  groups?: { master?: string; pods: { name: string; ready: boolean; upToDate: boolean }[] }[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

const isReady = (p: { status?: { conditions?: { type: string; status: string }[] } }) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Calls `onObject` with every version of the objects at `path` from now on, until aborted. */
async function follow(
  sys: System,
  path: string,
  fieldSelector: string | undefined,
  onObject: (o: KubernetesObject & { status?: unknown }) => void,
): Promise<{ abort(): void }> {
  return new Watch(sys.api.kubeConfig).watch(
    path,
    fieldSelector ? { fieldSelector } : {},
    (_type, o) => onObject(o),
    () => undefined,
  );
}

/** The example with one group (three brokers) instead of two. */
function oneGroup(sys: System): string {
  const yaml = sys.example('broker-controller-mode.yaml');
  const oneGroupYaml = yaml.replace(/\n {2}size: 2\n {2}replicaPerGroup: 2\n/, '\n  size: 1\n  replicaPerGroup: 2\n');
  if (oneGroupYaml === yaml) throw new Error('example/broker-controller-mode.yaml no longer has "size: 2" before "replicaPerGroup: 2"');
  return oneGroupYaml;
}

(skip ? describe.skip : describe)('a Broker in controller mode', () => {
  const system = systemPerFile('controller mode');
  let since: number;

  const brokerStatus = async () => (await system().parent('Broker', BROKER))?.status as BrokerStatus | undefined;

  /** Writes each pod's role as the observer does: as its ServiceAccount, a patch only where the role differs. */
  async function reportRoles(master: string): Promise<void> {
    const sys = system();
    const pods = await sys.list('pods', 'default', `app=broker,broker_cr=${BROKER}`);
    // The old master first, so that no round leaves two pods annotated master.
    const ordered = [...pods].sort((a, b) => Number(a.metadata!.name === master) - Number(b.metadata!.name === master));
    for (const pod of ordered) {
      if (pod.metadata?.deletionTimestamp) continue;
      const role = pod.metadata!.name === master ? 'master' : 'replica';
      if (pod.metadata?.annotations?.[ROLE] === role) continue;
      await sys.kubectlOk(['annotate', 'pod', pod.metadata!.name!, '--overwrite', `${ROLE}=${role}`, `--as=${OBSERVER}`]);
    }
  }

  /** Reports `master`, then returns how long status took to name it (polled every 100 ms). */
  async function statusLatency(master: string): Promise<number> {
    await reportRoles(master);
    const reported = Date.now();
    await until(
      `status naming ${master} master`,
      STATUS_WITHIN_MS,
      async () => (await brokerStatus())?.groups?.[0]?.master === master,
      100,
    );
    return Date.now() - reported;
  }

  beforeAll(async () => {
    const sys = system();
    await sys.apply(sys.example('nameservice.yaml'));
    await sys.apply(oneGroup(sys));
    since = Date.now();
  }, 2 * MINUTE);

  afterEach(() => expectNothingDeletedSince(system(), since));

  it(
    'gets one StatefulSet per broker, the role observer with its access, and every pod Ready',
    async () => {
      const sys = system();
      const pods = await sys.waitFor('the Controller’s and the Broker’s pods Ready', async () => {
        const all = (await sys.list('pods')).filter((p) => /^(broker-ha|controller)-/.test(p.metadata!.name!));
        return all.length === 7 && all.every(isReady) ? all : undefined;
      });
      const names = (resource: string) =>
        sys.list(resource).then((items) =>
          items
            .filter((o) => o.metadata!.name!.startsWith(BROKER))
            .map((o) => o.metadata!.name)
            .sort(),
        );
      const children = async () => ({
        statefulSets: await names('statefulsets'),
        deployments: await names('deployments'),
        serviceAccounts: await names('serviceaccounts'),
        roles: await names('roles'),
        roleBindings: await names('rolebindings'),
      });
      const expected = {
        statefulSets: [`${BROKER}-0-0`, `${BROKER}-0-1`, `${BROKER}-0-2`],
        deployments: [`${BROKER}-roles`],
        serviceAccounts: [`${BROKER}-roles`],
        roles: [`${BROKER}-roles`],
        roleBindings: [`${BROKER}-roles`],
      };
      await sys.waitFor('every child of the Broker', async () => JSON.stringify(await children()) === JSON.stringify(expected));
      const podNames = pods.map((p) => p.metadata!.name!);
      const observerPods = podNames.filter((n) => n.startsWith(`${BROKER}-roles-`));
      expect(observerPods).toHaveLength(1);
      expect(podNames.filter((n) => !observerPods.includes(n)).sort()).toEqual(
        [...PODS, 'controller-0', 'controller-1', 'controller-2'].sort(),
      );
      // No fixed role on a pod: until the observer says, status knows no master.
      const status = await sys.waitFor('status with every broker pod Ready', async () => {
        const current = await brokerStatus();
        return current?.groups?.[0]?.pods.filter((p) => p.ready).length === 3 && current;
      });
      expect(status).toMatchObject({ masters: '0/1', groups: [expect.not.objectContaining({ master: expect.anything() })] });
    },
    2 * MINUTE,
  );

  it(
    'names the master the observer writes on the pods in status within 30 s, and the new one after it moves',
    async () => {
      const first = await statusLatency(`${BROKER}-0-1-0`);
      expect(await brokerStatus()).toMatchObject({ masters: '1/1' });
      const moved = await statusLatency(`${BROKER}-0-2-0`);
      expect(await brokerStatus()).toMatchObject({ masters: '1/1', groups: [{ master: `${BROKER}-0-2-0` }] });
      recordFigure('controller mode: role annotation to status.groups[].master (s)', { first: first / 1000, moved: moved / 1000 });
      // The observer may patch pods only: it cannot, say, rewrite the Broker.
      const refused = await system().kubectl(['annotate', 'broker', BROKER, 'x=y', `--as=${OBSERVER}`]);
      expect(refused.stderr).toMatch(/forbidden/);
    },
    2 * MINUTE,
  );

  it(
    'restarts brokers one at a time, the reported master last after a hand-over Job, which fails without controllers, and settles',
    async () => {
      const sys = system();
      const master = `${BROKER}-0-1-0`;
      await statusLatency(master);
      // The observer keeps writing the roles, as it does every 5 s, onto the pods that replace old ones.
      let observing = true;
      const observer = (async () => {
        while (observing) {
          await reportRoles(master).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 1000));
        }
      })();
      // Every state the Broker's status and the hand-over Jobs pass through, however brief.
      const seen = { progressing: new Set<string>(), jobs: new Map<string, Set<string>>() };
      const watches = await Promise.all([
        follow(sys, `/apis/rocketmq.apache.org/v1alpha1/namespaces/default/brokers`, `metadata.name=${BROKER}`, (broker) => {
          const progressing = (broker.status as BrokerStatus | undefined)?.conditions?.find((c) => c.type === 'Progressing');
          if (progressing?.status === 'True') seen.progressing.add(`${progressing.reason}: ${progressing.message}`);
        }),
        follow(sys, '/apis/batch/v1/namespaces/default/jobs', undefined, (job) => {
          const states = seen.jobs.get(job.metadata!.name!) ?? new Set<string>();
          for (const c of (job.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []) {
            if (c.status === 'True') states.add(c.type);
          }
          seen.jobs.set(job.metadata!.name!, states);
        }),
      ]);
      const masterIp = (await sys.list('pods')).find((p) => p.metadata!.name === master)?.status?.podIP;
      expect(masterIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const timeline = await PodTimeline.start(sys, PODS);
      const patched = Date.now();
      try {
        await sys.kubectlOk([
          'patch',
          'broker',
          BROKER,
          '--type=merge',
          '-p',
          '{"spec":{"env":[{"name":"JAVA_OPT_EXT","value":"-Duser.timezone=UTC"}]}}',
        ]);
        await sys.waitFor(
          'every broker pod replaced, up to date and Ready, nothing in progress',
          async () => {
            const status = await brokerStatus();
            const pods = status?.groups?.flatMap((g) => g.pods) ?? [];
            const progressing = status?.conditions?.find((c) => c.type === 'Progressing');
            return (
              timeline.replacementOrder().length === 3 &&
              pods.length === 3 &&
              pods.every((p) => p.ready && p.upToDate) &&
              progressing?.status === 'False'
            );
          },
          4 * MINUTE,
        );
      } finally {
        observing = false;
        watches.forEach((w) => w.abort());
        await Promise.all([observer, timeline.stop()]);
      }
      const rollSeconds = (Date.now() - patched) / 1000;
      const order = timeline.replacementOrder();
      expect(order).toEqual([`${BROKER}-0-0-0`, `${BROKER}-0-2-0`, master]);
      expect(timeline.maxUnavailable()).toBe(1);

      // The hand-over Job was created after both replicas had restarted and before the master did.
      const replaced = timeline.replacedAt();
      const created = sys
        .writesSince(patched)
        .filter((w) => w.verb === 'create' && w.resource === 'jobs' && w.name?.startsWith(`${BROKER}-0-hand-over-`));
      expect(created).toHaveLength(1);
      const job = created[0].name!;
      expect(created[0].at).toBeGreaterThan(replaced.get(`${BROKER}-0-2-0`)!);
      expect(created[0].at).toBeLessThan(replaced.get(master)!);
      expect([...seen.progressing].some((m) => m.startsWith(`HandingOver: Job ${job} asks the controller to make`))).toBe(true);
      // Run for real, it finds no controller (there are none, only kwok pods): both tries fail, the
      // Job controller marks it Failed, and the master restarts as it is.
      const runs = sys.kubelet.exits.filter((e) => e.job === job);
      expect(runs.map((e) => e.code)).toEqual([1, 1]);
      expect(runs[0].args).toEqual([
        'hand-over',
        '--controllers-by-dns=controller-svc-headless.default.svc:9878',
        `--cluster=${BROKER}`,
        `--broker-name=${BROKER}-0`,
        `--from-host=${masterIp}`,
        expect.stringMatching(/^--to-host=\d+\.\d+\.\d+\.\d+(,\d+\.\d+\.\d+\.\d+)?$/),
        '--settle-seconds=40',
      ]);
      expect(runs[0].output).toMatch(/controller-svc/);
      expect([...(seen.jobs.get(job) ?? [])]).toContain('Failed');
      expect([...seen.progressing]).toContainEqual(expect.stringContaining(`(Job ${job} could not hand the master role over: `));
      // Once the master restarted, the Job is no longer rendered, and goes.
      await sys.waitFor('the hand-over Job removed', async () => (await sys.list('jobs')).every((j) => j.metadata!.name !== job));
      // The restarted master is a new pod: status names it again once the observer has written its role.
      await statusLatency(master);
      expect(await brokerStatus()).toMatchObject({ masters: '1/1', groups: [{ master }] });
      recordFigure('controller mode: env change to roll done, 3 brokers, failed hand-over (s)', rollSeconds);
      await expectSteadyState(sys, 10_000);
    },
    6 * MINUTE,
  );
});
