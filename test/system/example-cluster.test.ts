// The whole system as a user meets it: example/cluster.yaml applied with kubectl to a control plane
// with kwok nodes, Metacontroller and the hook service of this build.
import { recordFigure } from './support/figures.js';
import { childWrites } from './support/audit.js';
import { systemSkipReason } from './support/binaries.js';
import { expectSteadyState } from './support/checks.js';
import { systemPerFile, type Kind } from './support/system.js';

const skip = systemSkipReason('the system tests');
const MINUTE = 60_000;

(skip ? describe.skip : describe)('a cluster from the examples', () => {
  const system = systemPerFile('examples');
  const parents: [Kind, string][] = [
    ['NameService', 'name-service'],
    ['Broker', 'broker'],
    ['Console', 'console'],
    ['Proxy', 'proxy'],
  ];
  /** 3 name servers, 2 groups of 2 brokers, 1 console and 2 proxies. */
  const PODS = 10;
  const CHILD_TYPES = 'statefulsets,services,configmaps,deployments,poddisruptionbudgets,jobs';

  async function presentChildren(): Promise<string[]> {
    const items = await system().list(CHILD_TYPES);
    return items
      .filter((o) => o.metadata?.ownerReferences?.some((r) => r.controller))
      .map((o) => `${o.kind}/${o.metadata!.name}`)
      .sort();
  }

  it(
    'becomes Ready: every rendered child present, every pod Ready on a kwok node, status with Ready conditions',
    async () => {
      const sys = system();
      const yaml = sys.example('cluster.yaml');
      const expected = sys.rendered(yaml);
      const applied = Date.now();
      await sys.apply(yaml);

      await sys.waitFor('all children', async () => (await presentChildren()).join() === expected.join());
      const childrenMs = Date.now() - applied;

      const pods = await sys.waitFor(`${PODS} pods Ready`, async () => {
        const all = await sys.list('pods');
        const ready = all.filter((p) =>
          p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready.length === PODS && all.length === PODS ? all : undefined;
      });
      const podsMs = Date.now() - applied;
      expect(pods.every((p) => String(p.spec.nodeName).startsWith('kwok-node-'))).toBe(true);
      // The scheduler honours the default spread of masters: the two groups' masters run on different nodes.
      const nodeOf = (pod: string) => pods.find((p) => p.metadata?.name === pod)?.spec.nodeName;
      expect(nodeOf('broker-0-master-0')).not.toBe(nodeOf('broker-1-master-0'));

      for (const [kind, name] of parents) {
        await sys.waitFor(`${kind} Ready`, async () => (await sys.condition(kind, name, 'Ready'))?.status === 'True');
      }
      const statusMs = Date.now() - applied;
      const ns = await sys.parent('NameService', 'name-service');
      expect(ns?.status).toMatchObject({
        readyReplicas: 3,
        addresses: expect.arrayContaining(['name-service-0.name-service.default.svc:9876']),
      });
      const broker = await sys.parent('Broker', 'broker');
      expect(broker?.status).toMatchObject({
        size: 2,
        nodes: ['broker-0-master-0', 'broker-0-replica-1-0', 'broker-1-master-0', 'broker-1-replica-1-0'],
      });
      expect(await presentChildren()).toEqual(expected);

      recordFigure('apply to all children present (s)', childrenMs / 1000);
      recordFigure('apply to all pods Ready (s)', podsMs / 1000);
      recordFigure('apply to status Ready (s)', statusMs / 1000);

      // Each child is written once, when it is created: nothing in the spec changed since.
      await new Promise((r) => setTimeout(r, 5_000));
      const rewrites = childWrites(sys.writesSince(applied)).filter((w) => w.verb !== 'create');
      recordFigure('child writes other than creates while the examples came up', rewrites.length);
      expect(sys.describe(rewrites)).toBe('');
    },
    5 * MINUTE,
  );

  it(
    'at steady state Metacontroller writes no child, and touching a parent’s annotations writes nothing',
    async () => {
      const sys = system();
      const steady = await sys.steadyStateChildWrites(25_000);
      const perMinute = Object.fromEntries(Object.entries(steady.syncs).map(([kind, n]) => [kind, Math.round((n / 25) * 60 * 10) / 10]));
      recordFigure('syncs per parent per minute at steady state', perMinute);
      recordFigure('child writes at steady state (25 s)', steady.writes.length);
      expect(sys.describe(steady.writes)).toBe('');

      const touched = Date.now();
      for (const [kind, name] of parents) await sys.kubectlOk(['annotate', kind.toLowerCase(), name, `touched-at=${touched}`]);
      await new Promise((r) => setTimeout(r, 10_000));
      const writes = sys.writesSince(touched).filter((w) => !(w.verb === 'create' && w.resource === 'events'));
      recordFigure('writes after touching parent annotations (10 s)', writes.length);
      expect(sys.describe(writes)).toBe('');
    },
    4 * MINUTE,
  );

  it(
    'a Broker scaled down is refused: its brokers keep running, and kubectl get brokers and the conditions say so',
    async () => {
      const sys = system();
      const since = Date.now();
      await sys.kubectlOk(['patch', 'broker', 'broker', '--type=merge', '-p', '{"spec":{"size":1}}']);
      const degraded = await sys.waitFor('Degraded', async () => {
        const c = await sys.condition('Broker', 'broker', 'Degraded');
        return c?.status === 'True' ? c : undefined;
      });
      expect(degraded.reason).toBe('ScaleDownRefused');
      const table = await sys.kubectlOk(['get', 'brokers']);
      const [header, row] = table.trim().split('\n');
      const status = row.split(/\s+/)[header.split(/\s+/).indexOf('STATUS')];
      expect({ status }).toEqual({ status: expect.stringMatching(/ScaleDown/i) });
      expect((await sys.list('statefulsets')).map((s) => s.metadata!.name)).toEqual(
        expect.arrayContaining(['broker-1-master', 'broker-1-replica-1']),
      );
      expect(sys.describe(sys.writesSince(since).filter((w) => w.verb === 'delete'))).toBe('');
      await expectSteadyState(sys);
    },
    3 * MINUTE,
  );

  it(
    'deleting each kind removes its children through garbage collection and leaves no finalizer behind',
    async () => {
      const sys = system();
      await sys.kubectlOk(['patch', 'broker', 'broker', '--type=merge', '-p', '{"spec":{"size":2}}']);
      for (const [kind, name] of [...parents].reverse()) {
        const uid = (await sys.parent(kind, name))!.metadata!.uid;
        await sys.kubectlOk(['delete', kind.toLowerCase(), name, '--wait=true', '--timeout=60s']);
        await sys.waitFor(`${kind} children gone`, async () => {
          const items = await sys.list(`${CHILD_TYPES},pods`);
          return !items.some((o) => o.metadata?.ownerReferences?.some((r) => r.uid === uid));
        });
        expect(await sys.parent(kind, name)).toBeUndefined();
      }
      await sys.waitFor('no pods left', async () => (await sys.list('pods')).length === 0);
    },
    4 * MINUTE,
  );
});
