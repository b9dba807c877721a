// Moving from apache/rocketmq-operator with `rocketmq-operator migrate`: the original's objects for
// the example cluster are in place, `migrate --apply` adopts them, then `--replace-name-servers`
// gives the name servers a StatefulSet with serviceName. Volumes, pod names and name-server
// addresses that resolve are checked all along.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { repoRoot, systemSkipReason } from './support/binaries.js';
import { startFakeBroker, type FakeBroker } from '../rocketmq/fake-broker.js';
import { expectSteadyState } from './support/checks.js';
import { recordFigure } from './support/figures.js';
import { originalBrokers, originalConsole, originalNameServers, originalOperator } from './support/original-operator.js';
import { PodTimeline } from './support/pod-timeline.js';
import { type System, systemPerFile } from './support/system.js';

const skip = systemSkipReason('the system tests');
const MINUTE = 60_000;
const NAME_PODS = ['name-service-0', 'name-service-1', 'name-service-2'];
const BROKER_PODS = ['broker-0-master-0', 'broker-0-replica-1-0', 'broker-1-master-0', 'broker-1-replica-1-0'];

const isReady = (p: V1Pod | undefined) => p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

function migrate(sys: System, ...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist/hooks/cli.js'), 'migrate', '-n', 'default', ...args], {
      env: { ...process.env, KUBECONFIG: sys.api.kubeconfigPath },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/**
 * Whether a name-server address reaches a Ready name server as DNS would answer it: `<pod>.<svc>`
 * needs a headless Service and a pod with that hostname and subdomain; `<svc>` a Service with a
 * Ready endpoint; an IP a Ready name-server pod with that IP.
 */
async function reachesReadyNameServer(sys: System, address: string, pods: V1Pod[]): Promise<boolean> {
  const host = address.split(':')[0];
  const labels = host.split('.');
  const nameServers = pods.filter((p) => p.metadata?.labels?.app === 'name_service');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return nameServers.some((p) => p.status?.podIP === host && isReady(p));
  if (labels.length === 4) {
    const [pod, service] = labels;
    return nameServers.some((p) => p.metadata?.name === pod && p.spec?.hostname === pod && p.spec?.subdomain === service && isReady(p));
  }
  const slices = await sys.list<{ endpoints?: { conditions?: { ready?: boolean } }[] }>(
    'endpointslices',
    'default',
    `kubernetes.io/service-name=${labels[0]}`,
  );
  return slices.some((s) => s.endpoints?.some((e) => e.conditions?.ready));
}

/** Samples, until stopped, every broker pod's name-server list and which of its addresses reach a Ready name server. */
function sampleBrokerAddresses(sys: System) {
  const unreachable: string[] = [];
  const withoutAny = new Map<string, number>();
  let running = true;
  const done = (async () => {
    while (running) {
      const pods = (await sys.list<V1Pod>('pods')).filter((p) => !p.metadata?.deletionTimestamp);
      // Brokers this operator started read the list from its ConfigMap (and are sent every new one); the original's have it as a value.
      const configMaps = await sys.list<V1ConfigMap>('configmaps');
      const listOf = (pod: V1Pod) => {
        const env = pod.spec!.containers[0].env ?? [];
        const ref = env.find((e) => e.name === 'NAMESRV_LIST')?.valueFrom?.configMapKeyRef;
        if (ref) return configMaps.find((c) => c.metadata?.name === ref.name)?.data?.[ref.key] ?? '';
        return env.find((e) => e.name === 'NAMESRV_ADDR')?.value ?? '';
      };
      for (const pod of pods.filter((p) => BROKER_PODS.includes(p.metadata!.name!) && isReady(p))) {
        const addresses = listOf(pod).split(';').filter(Boolean);
        const reach = await Promise.all(addresses.map((a) => reachesReadyNameServer(sys, a, pods)));
        const dns = !/^\d/.test(addresses[0] ?? '');
        // A name server being replaced is down for a moment; an address that names nothing is a bug.
        if (dns && !reach.some(Boolean)) unreachable.push(`${pod.metadata!.name}: ${addresses.join(';')}`);
        if (!reach.some(Boolean)) withoutAny.set(pod.metadata!.name!, (withoutAny.get(pod.metadata!.name!) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { unreachable, withoutAny: Object.fromEntries(withoutAny) };
    },
  };
}

async function claimUids(sys: System): Promise<Record<string, string>> {
  return Object.fromEntries((await sys.list('persistentvolumeclaims')).map((c) => [c.metadata!.name!, c.metadata!.uid!]));
}

(skip ? describe.skip : describe)('migrate from apache/rocketmq-operator', () => {
  const system = systemPerFile('migrate');
  let claims: Record<string, string>;
  let standIn: FakeBroker;
  afterAll(() => standIn?.close());

  beforeAll(async () => {
    const sys = system();
    // There are no real brokers here: one stand-in answers the runner for every broker pod, so the
    // Jobs that send brokers a new name-server list run against something that checks what they send.
    standIn = await startFakeBroker({ brokerName: 'broker-0', clusterName: 'broker' });
    sys.kubelet.brokers.set('default', standIn.address);
    // The original's workloads first, then the CRs: this operator is installed, so it syncs them at
    // once, but cannot create StatefulSets or a Deployment whose names are taken.
    await sys.apply(JSON.stringify(originalOperator()));
    await sys.apply(JSON.stringify(originalNameServers(3)));
    await sys.waitFor(
      '3 original name servers Ready',
      async () => (await sys.list<V1Pod>('pods', 'default', 'app=name_service')).filter(isReady).length === 3,
    );
    const ips = (await sys.list<V1Pod>('pods', 'default', 'app=name_service')).map((p) => p.status!.podIP!).sort();
    for (const sts of originalBrokers(2, 1, ips)) await sys.apply(JSON.stringify(sts));
    await sys.apply(JSON.stringify(originalConsole(ips)));
    await sys.apply(sys.example('nameservice.yaml'));
    await sys.apply(sys.example('broker.yaml'));
    await sys.apply(sys.example('console.yaml'));
    await sys.waitFor(
      'every original pod Ready with its volume',
      async () => {
        const pods = await sys.list<V1Pod>('pods');
        return (
          [...NAME_PODS, ...BROKER_PODS].every((n) => isReady(pods.find((p) => p.metadata!.name === n))) &&
          Object.keys(await claimUids(sys)).length === 7
        );
      },
      3 * MINUTE,
    );
    claims = await claimUids(sys);
  }, 5 * MINUTE);

  it(
    'migrate --apply adopts everything in order, restarting each name server and broker once, with volumes and pod names kept and broker addresses that resolve',
    async () => {
      const sys = system();
      const dry = await migrate(sys);
      expect(dry.code).toBe(0);
      expect(dry.output).toContain('Stop the original operator: scale Deployment default/rocketmq-operator to 0 replicas');
      expect(dry.output).toContain('(nothing was changed');
      const names = await PodTimeline.start(sys, NAME_PODS);
      const brokers = await PodTimeline.start(sys, BROKER_PODS);
      const sampler = sampleBrokerAddresses(sys);
      const started = Date.now();
      const run = await migrate(sys, '--apply');
      const seconds = (Date.now() - started) / 1000;
      const addresses = await sampler.stop();
      await Promise.all([names.stop(), brokers.stop()]);
      expect(run).toMatchObject({ code: 0 });
      recordFigure('migrate --apply (3 name servers, 4 brokers, 1 console)', {
        seconds,
        brokerPodSamplesWithNoReadyNameServer: addresses.withoutAny,
      });

      // What the README says happens: the old operator stops, every name server and broker pod is replaced once, one at a time.
      expect((await sys.list('deployments')).find((d) => d.metadata!.name === 'rocketmq-operator')?.spec.replicas).toBe(0);
      expect(names.replacementOrder().sort()).toEqual(NAME_PODS);
      expect(brokers.replacementOrder().sort()).toEqual([...BROKER_PODS].sort());
      expect(names.maxUnavailable()).toBe(1);
      expect(brokers.maxUnavailable()).toBe(1);
      // Brokers were restarted only after every name server had been.
      const lastNameServer = Math.max(...names.replacedAt().values());
      expect(Math.min(...brokers.replacedAt().values())).toBeGreaterThan(lastNameServer);
      // A broker given DNS names could always reach a Ready name server through them.
      expect(addresses.unreachable).toEqual([]);
      expect(await claimUids(sys)).toEqual(claims);

      const broker = await sys.parent('Broker', 'broker');
      expect(broker?.status?.nameServers).toBe(
        'name-service-0.default.svc:9876;name-service-1.default.svc:9876;name-service-2.default.svc:9876',
      );
      expect((await sys.list('statefulsets')).find((s) => s.metadata!.name === 'name-service')?.spec.serviceName ?? '').toBe('');
      for (const kind of ['Console', 'NameService'] as const) {
        expect((await sys.condition(kind, kind === 'Console' ? 'console' : 'name-service', 'Ready'))?.status).toBe('True');
      }

      // A second run changes nothing.
      const again = await migrate(sys, '--apply');
      expect(again.code).toBe(0);
      expect(again.output).not.toMatch(/^\s+done$/m);
      await expectSteadyState(sys);
    },
    8 * MINUTE,
  );

  it(
    'migrate --replace-name-servers moves the name servers to a StatefulSet with serviceName, one at a time, and sends running brokers the headless addresses without restarting them',
    async () => {
      const sys = system();
      const names = await PodTimeline.start(sys, NAME_PODS);
      const brokers = await PodTimeline.start(sys, BROKER_PODS);
      const sampler = sampleBrokerAddresses(sys);
      const started = Date.now();
      const run = await migrate(sys, '--apply', '--replace-name-servers', '--broker-reload-seconds', '2');
      const seconds = (Date.now() - started) / 1000;
      const addresses = await sampler.stop();
      await Promise.all([names.stop(), brokers.stop()]);
      expect(run).toMatchObject({ code: 0 });
      recordFigure('migrate --replace-name-servers (3 name servers, 4 brokers)', { seconds });

      expect(names.maxUnavailable()).toBeLessThanOrEqual(1);
      expect(names.replacementOrder().sort()).toEqual(NAME_PODS);
      expect(brokers.replacementOrder()).toEqual([]);
      expect(brokers.maxUnavailable()).toBe(0);
      expect(addresses.unreachable).toEqual([]);
      expect(addresses.withoutAny).toEqual({});
      const headless = NAME_PODS.map((n) => `${n}.name-service.default.svc:9876`).join(';');
      expect(standIn.config.get('namesrvAddr')).toBe(headless);
      expect(await claimUids(sys)).toEqual(claims);

      const sts = (await sys.list('statefulsets')).find((s) => s.metadata!.name === 'name-service');
      expect(sts?.spec.serviceName).toBe('name-service');
      const pods = await sys.list<V1Pod>('pods', 'default', 'app=name_service');
      expect(pods.map((p) => [p.metadata!.name, p.spec!.subdomain]).sort()).toEqual(NAME_PODS.map((n) => [n, 'name-service']));
      expect((await sys.parent('Broker', 'broker'))?.status?.nameServers).toBe(headless);
      expect((await sys.list('services')).map((s) => s.metadata!.name).filter((n) => /^name-service-\d$/.test(n!))).toEqual([]);
      expect(
        (await sys.parent('NameService', 'name-service'))?.metadata?.annotations?.['rocketmq.apache.org/pod-services'],
      ).toBeUndefined();

      const again = await migrate(sys, '--apply', '--replace-name-servers');
      expect(again.code).toBe(0);
      expect(again.output).not.toMatch(/^\s+done$/m);
      await expectSteadyState(sys);
    },
    8 * MINUTE,
  );
});
