// The two ways to install, as the README gives them: the kustomization under manifests/ (rendered
// by the real kubectl) and the Helm chart under charts/ (linted, rendered and installed by the real
// helm, every object checked by the real kube-apiserver).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { packageRoot } from '../../hooks/schema/crds.js';
import type { KubeObject } from '../../hooks/core/metacontroller.js';
import { ensureKubeBinaries, kubeSkipReason, run, startApiServer, type ApiServer } from '../support/apiserver.js';
import { helmSkipReason, startHelm, type Helm } from '../support/helm.js';

const BUILD_TIMEOUT_MS = 25 * 60 * 1000;
const root = packageRoot();
const chart = join(root, 'charts', 'rocketmq-operator');
const RELEASE = 'rocketmq-operator';
const NAMESPACE = 'rocketmq-operator';

interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number; protocol?: string }[];
  resources?: unknown;
}

const docs = (text: string): KubeObject[] =>
  parseAllDocuments(text)
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);

const only = (objects: KubeObject[], kind: string): KubeObject => {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
};

const podSpec = (deployment: KubeObject): any => (deployment as any).spec.template.spec;
const hooksContainer = (objects: KubeObject[]): Container =>
  podSpec(only(objects, 'Deployment')).containers.find((c: Container) => c.name === 'hooks');
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;

const kubeUnavailable = await kubeSkipReason('the kustomize install tests');

(kubeUnavailable ? describe.skip : describe)('kubectl apply -k manifests/', () => {
  let kubectl: string;
  let work: string;

  beforeAll(async () => {
    kubectl = join(await ensureKubeBinaries(), 'kubectl');
    // A copy of the repository's kustomizations, to edit as a user would.
    work = mkdtempSync(join(tmpdir(), 'rocketmq-kustomize-'));
    for (const dir of ['crds', 'compositecontrollers', 'manifests']) cpSync(join(root, dir), join(work, dir), { recursive: true });
  }, BUILD_TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function build(dir: string): Promise<KubeObject[]> {
    const res = await run(kubectl, ['kustomize', dir], { timeoutMs: 60_000, env: { ...process.env, KUBECONFIG: '/dev/null' } });
    if (res.code !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${res.stderr}`);
    return docs(res.stdout);
  }

  function setImages(kustomization: string, images: object[]): void {
    const file = join(kustomization, 'kustomization.yaml');
    writeFileSync(file, stringify({ ...parse(readFileSync(file, 'utf8')), images }));
  }

  it('as shipped: the Jobs run the hook container image', async () => {
    const hooks = hooksContainer(await build(join(root, 'manifests')));
    expect(hooks.image).toBe('rocketmq-operator:0.1.0');
    expect(envOf(hooks, 'RUNNER_IMAGE')).toBe(hooks.image);
  });

  it('the images entry in manifests/ (what `kustomize edit set image` writes) sets both', async () => {
    setImages(join(work, 'manifests'), [
      { name: 'rocketmq-operator', newName: 'registry.example.com/team/rocketmq-operator', newTag: '1.2.3' },
    ]);
    const hooks = hooksContainer(await build(join(work, 'manifests')));
    expect(hooks.image).toBe('registry.example.com/team/rocketmq-operator:1.2.3');
    expect(envOf(hooks, 'RUNNER_IMAGE')).toBe(hooks.image);
    // Env values that are not the operator image are left alone.
    expect(envOf(hooks, 'PORT')).toBe('8080');
    expect(envOf(hooks, 'LOG_LEVEL')).toBe('info');
  });

  it('an overlay with its own images entry (the README way, no kustomize binary) sets both', async () => {
    // On the shipped manifests/, not on the one the previous test edited.
    cpSync(join(root, 'manifests', 'kustomization.yaml'), join(work, 'manifests', 'kustomization.yaml'));
    const overlay = join(work, 'overlay');
    mkdirSync(overlay);
    const digest = 'sha256:' + 'ab'.repeat(32);
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      // As the README writes it: no apiVersion or kind.
      stringify({
        resources: ['../manifests'],
        images: [{ name: 'rocketmq-operator', newName: 'registry.example.com/rocketmq-operator', newTag: '2.0.0', digest }],
      }),
    );
    const hooks = hooksContainer(await build(overlay));
    expect(hooks.image).toBe(`registry.example.com/rocketmq-operator:2.0.0@${digest}`);
    expect(envOf(hooks, 'RUNNER_IMAGE')).toBe(hooks.image);
  });

  it('overlays/servicemonitors installs the same, with ServiceMonitors as a child type of Brokers only', async () => {
    const plain = await build(join(root, 'manifests'));
    const overlaid = await build(join(root, 'overlays', 'servicemonitors'));
    const broker = (objects: KubeObject[]) => objects.find((o) => o.metadata.name === 'rocketmq-broker') as any;
    const others = (objects: KubeObject[]) => objects.filter((o) => o !== broker(objects));
    expect(others(overlaid)).toEqual(others(plain));
    expect(broker(overlaid).spec.childResources).toEqual([
      ...broker(plain).spec.childResources,
      { apiVersion: 'monitoring.coreos.com/v1', resource: 'servicemonitors', updateStrategy: { method: 'InPlace' } },
    ]);
  });

  it('the NetworkPolicy admits Metacontroller to the hooks and namespaces labelled for scraping to the metrics port', async () => {
    const objects = await build(join(root, 'manifests'));
    const policy = only(objects, 'NetworkPolicy') as any;
    const hooks = hooksContainer(objects);
    expect(hooks.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(envOf(hooks, 'METRICS_PORT')).toBe('9090');
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'metacontroller' } } }],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
      {
        from: [{ namespaceSelector: { matchLabels: { 'rocketmq-operator/metrics-scraper': 'true' } } }],
        ports: [{ port: 'metrics', protocol: 'TCP' }],
      },
    ]);
  });
});

const helmUnavailable = helmSkipReason('the Helm chart tests');

(helmUnavailable ? describe.skip : describe)('the Helm chart', () => {
  let helm: Helm;

  beforeAll(async () => {
    helm = await startHelm();
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await helm?.cleanup();
  });

  async function ok(args: string[], kubeconfig?: string): Promise<string> {
    const res = await helm(args, { kubeconfig });
    if (res.code !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${res.stderr}`);
    return res.stdout;
  }

  const template = async (...args: string[]) => docs(await ok(['template', RELEASE, chart, '--namespace', NAMESPACE, ...args]));

  it('passes helm lint --strict with its defaults and with every option on', async () => {
    expect(await ok(['lint', '--strict', chart])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(
      await ok([
        'lint',
        '--strict',
        chart,
        '--set',
        'metrics.serviceMonitor.enabled=true',
        '--set',
        'image.digest=sha256:' + '0'.repeat(64),
        '--set',
        'networkPolicy.enabled=false',
      ]),
    ).toMatch(/0 chart\(s\) failed/);
  });

  it('renders the hook service, its CompositeControllers and, with --include-crds, the CRDs', async () => {
    const objects = await template('--include-crds');
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names).toEqual([
      'CompositeController/rocketmq-broker',
      'CompositeController/rocketmq-console',
      'CompositeController/rocketmq-nameservice',
      'CompositeController/rocketmq-proxy',
      'CompositeController/rocketmq-topictransfer',
      'CustomResourceDefinition/brokers.rocketmq.apache.org',
      'CustomResourceDefinition/consoles.rocketmq.apache.org',
      'CustomResourceDefinition/nameservices.rocketmq.apache.org',
      'CustomResourceDefinition/proxies.rocketmq.apache.org',
      'CustomResourceDefinition/topictransfers.rocketmq.apache.org',
      'Deployment/rocketmq-operator',
      'NetworkPolicy/rocketmq-operator',
      'PodDisruptionBudget/rocketmq-operator',
      'Service/rocketmq-operator',
      'ServiceAccount/rocketmq-operator',
    ]);
    for (const o of objects.filter((o) => !['CompositeController', 'CustomResourceDefinition'].includes(o.kind))) {
      expect(o.metadata.namespace).toBe(NAMESPACE);
    }
  });

  it("renders the repository's CompositeControllers, with the hooks served by the release's Service", async () => {
    const release = 'rmq';
    const objects = docs(await ok(['template', release, chart, '--namespace', 'operators', '--set', 'service.port=8081']));
    const service = only(objects, 'Service');
    expect(service.metadata.name).toBe('rmq-rocketmq-operator');
    const rendered = objects.filter((o) => o.kind === 'CompositeController');
    const files: string[] = parse(readFileSync(join(root, 'compositecontrollers', 'kustomization.yaml'), 'utf8')).resources;
    expect(rendered).toHaveLength(files.length);
    for (const file of files) {
      const expected = parse(readFileSync(join(root, 'compositecontrollers', file), 'utf8'));
      const hooks: Record<string, { webhook: { service: object } }> = expected.spec.hooks;
      for (const hook of Object.values(hooks)) {
        hook.webhook.service = { name: 'rmq-rocketmq-operator', namespace: 'operators', port: 8081 };
      }
      const actual = rendered.find((o) => o.metadata.name === expected.metadata.name) as any;
      expect(actual).toBeDefined();
      expect(actual.spec).toEqual(expected.spec);
      expect(actual.metadata.labels['app.kubernetes.io/name']).toBe('rocketmq-operator');
    }
  });

  it('adds the child type overlays/servicemonitors adds to the Broker controller with compositeControllers.brokerServiceMonitors', async () => {
    const childTypes = async (...args: string[]) =>
      ((await template(...args)).find((o) => o.metadata.name === 'rocketmq-broker') as any).spec.childResources;
    const overlay = parse(readFileSync(join(root, 'overlays', 'servicemonitors', 'kustomization.yaml'), 'utf8'));
    const added = parse(overlay.patches[0].patch)[0].value;
    expect(await childTypes('--set', 'compositeControllers.brokerServiceMonitors=true')).toEqual([...(await childTypes()), added]);
  });

  it('uses the one image setting for the hook container and RUNNER_IMAGE', async () => {
    const byDefault = hooksContainer(await template());
    const appVersion = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')).appVersion;
    expect(byDefault.image).toBe(`rocketmq-operator:${appVersion}`);
    expect(envOf(byDefault, 'RUNNER_IMAGE')).toBe(byDefault.image);

    const tagged = hooksContainer(
      await template(
        '--set',
        'image.repository=registry.example.com/team/rocketmq-operator',
        '--set-string',
        'image.tag=1.2.3',
        '--set',
        'image.pullPolicy=Always',
      ),
    );
    expect(tagged.image).toBe('registry.example.com/team/rocketmq-operator:1.2.3');
    expect(envOf(tagged, 'RUNNER_IMAGE')).toBe(tagged.image);
    expect(tagged.imagePullPolicy).toBe('Always');

    const digest = 'sha256:' + 'cd'.repeat(32);
    const pinned = hooksContainer(
      await template('--set', 'image.repository=registry.example.com/rocketmq-operator', '--set', `image.digest=${digest}`),
    );
    expect(pinned.image).toBe(`registry.example.com/rocketmq-operator:${appVersion}@${digest}`);
    expect(envOf(pinned, 'RUNNER_IMAGE')).toBe(pinned.image);
  });

  it('serves metrics on metrics.port: container port, METRICS_PORT and Service port', async () => {
    const objects = await template('--set', 'metrics.port=9400');
    const hooks = hooksContainer(objects);
    expect(hooks.ports).toContainEqual({ name: 'metrics', containerPort: 9400, protocol: 'TCP' });
    expect(envOf(hooks, 'METRICS_PORT')).toBe('9400');
    expect((only(objects, 'Service') as any).spec.ports).toContainEqual({
      name: 'metrics',
      port: 9400,
      targetPort: 'metrics',
      protocol: 'TCP',
    });
  });

  it('sets replicas, resources, the log level and the PodDisruptionBudget from values', async () => {
    const objects = await template(
      '--set',
      'replicas=3',
      '--set',
      'logLevel=debug',
      '--set',
      'resources.requests.cpu=250m',
      '--set',
      'resources.limits.memory=1Gi',
      '--set',
      'podDisruptionBudget.minAvailable=2',
    );
    expect((only(objects, 'Deployment') as any).spec.replicas).toBe(3);
    const hooks = hooksContainer(objects);
    expect(envOf(hooks, 'LOG_LEVEL')).toBe('debug');
    expect(hooks.resources).toEqual({ requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '1Gi' } });
    expect((only(objects, 'PodDisruptionBudget') as any).spec.minAvailable).toBe(2);
    expect((await template('--set', 'podDisruptionBudget.enabled=false')).some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  it('admits Metacontroller to the hooks and metrics.from to the metrics port through the NetworkPolicy', async () => {
    const policy = only(await template(), 'NetworkPolicy') as any;
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'metacontroller' } } }],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
      {
        from: [{ namespaceSelector: { matchLabels: { 'rocketmq-operator/metrics-scraper': 'true' } } }],
        ports: [{ port: 'metrics', protocol: 'TCP' }],
      },
    ]);
    const values = join(mkdtempSync(join(tmpdir(), 'rocketmq-values-')), 'values.yaml');
    writeFileSync(
      values,
      stringify({
        metacontroller: { namespace: 'mc' },
        metrics: {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ],
        },
      }),
    );
    const custom = only(await template('-f', values), 'NetworkPolicy') as any;
    expect(custom.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mc' } } }]);
    expect(custom.spec.ingress[1].ports).toEqual([{ port: 'metrics', protocol: 'TCP' }]);
    expect(custom.spec.ingress[1].from).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      },
    ]);
    expect((only(await template('--set', 'metrics.from=null'), 'NetworkPolicy') as any).spec.ingress).toHaveLength(1);
    expect((await template('--set', 'networkPolicy.enabled=false')).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });

  it('renders a ServiceMonitor only when asked, scraping /metrics of its own Service', async () => {
    expect((await template()).some((o) => o.kind === 'ServiceMonitor')).toBe(false);
    const objects = await template(
      '--set',
      'metrics.serviceMonitor.enabled=true',
      '--set',
      'metrics.serviceMonitor.labels.release=prometheus',
      '--set',
      'metrics.serviceMonitor.interval=15s',
    );
    const monitor = only(objects, 'ServiceMonitor') as any;
    const service = only(objects, 'Service') as any;
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels.release).toBe('prometheus');
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels[key]).toBe(value);
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }]);
    expect(service.spec.ports).toContainEqual({ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' });
  });

  it.each([
    ['an unknown pull policy', ['--set', 'image.pullPolicy=Sometimes'], /pullPolicy/],
    ['negative replicas', ['--set', 'replicas=-1'], /replicas/],
    ['an unknown log level', ['--set', 'logLevel=loud'], /logLevel/],
    ['a misspelt value', ['--set', 'replica=3'], /replica/],
    ['a digest that is not one', ['--set', 'image.digest=latest'], /digest/],
    ['metrics on the hook port', ['--set', 'metrics.port=8080'], /metrics\/port/],
  ])('refuses %s', async (_name, args, message) => {
    const res = await helm(['template', RELEASE, chart, ...args]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(message);
  });

  (kubeUnavailable ? describe.skip : describe)('on a real kube-apiserver', () => {
    let kube: ApiServer;

    async function kubectl(args: string[], stdin?: string): Promise<string> {
      const result = await kube.kubectl(args, stdin);
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
      return result.stdout;
    }

    beforeAll(async () => {
      kube = await startApiServer();
      await kubectl(['apply', '-f', join(root, '..', 'shared', 'metacontroller', 'metacontroller-crds-v1.yaml')]);
      // Not the Prometheus Operator's CRD: a minimal one with the fields the chart sets, to check their shape.
      await kubectl(['apply', '-f', join(root, 'test', 'fixtures', 'servicemonitor-crd.yaml')]);
      await kubectl([
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        'crd/compositecontrollers.metacontroller.k8s.io',
        'crd/servicemonitors.monitoring.coreos.com',
      ]);
    }, BUILD_TIMEOUT_MS);

    afterAll(async () => {
      await kube?.stop();
    });

    it.each([
      ['the defaults', []],
      [
        'every option on',
        [
          '--set',
          'metrics.serviceMonitor.enabled=true',
          '--set',
          'metrics.serviceMonitor.labels.release=prometheus',
          '--set',
          'compositeControllers.brokerServiceMonitors=true',
          '--set',
          'image.digest=sha256:' + '0'.repeat(64),
          '--set',
          'imagePullSecrets[0].name=registry',
          '--set',
          'serviceAccount.annotations.team=messaging',
          '--set',
          'podAnnotations.team=messaging',
          '--set',
          'podLabels.team=messaging',
          '--set',
          'nodeSelector.kubernetes\\.io/os=linux',
          '--set',
          'tolerations[0].key=dedicated,tolerations[0].operator=Exists,tolerations[0].effect=NoSchedule',
          '--set',
          'affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey=kubernetes.io/hostname',
          '--set',
          'affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels.app\\.kubernetes\\.io/component=hooks',
        ],
      ],
    ])('every object rendered with %s passes kubectl apply --server-side --dry-run=server', async (name, args) => {
      const namespace = name === 'the defaults' ? 'chart-defaults' : 'chart-options';
      await kubectl(['create', 'namespace', namespace]);
      const rendered = await ok(['template', RELEASE, chart, '--namespace', namespace, '--include-crds', ...args]);
      const objects = docs(rendered);
      const applied = await kubectl(['apply', '--server-side', '--dry-run=server', '-o', 'name', '-f', '-'], rendered);
      expect(applied.trim().split('\n')).toHaveLength(objects.length);
      expect(applied).toMatch(/deployment\.apps\/rocketmq-operator/);
      expect(applied).toMatch(/compositecontroller\.metacontroller\.k8s\.io\/rocketmq-topictransfer/);
      if (args.length) expect(applied).toMatch(/servicemonitor\.monitoring\.coreos\.com\/rocketmq-operator/);
    });

    it('helm install creates the CRDs and the hook service, and helm uninstall removes the service', async () => {
      const kubeconfig = kube.kubeconfigPath;
      await ok(
        [
          'install',
          RELEASE,
          chart,
          '--namespace',
          NAMESPACE,
          '--create-namespace',
          '--set',
          'image.repository=registry.example.com/rocketmq-operator',
        ],
        kubeconfig,
      );
      const crds = await kubectl(['get', 'crd', '-o', 'name']);
      for (const plural of ['nameservices', 'brokers', 'consoles', 'topictransfers', 'proxies'])
        expect(crds).toContain(`${plural}.rocketmq.apache.org`);
      const deployment = JSON.parse(await kubectl(['get', 'deployment', RELEASE, '-n', NAMESPACE, '-o', 'json']));
      const hooks: Container = deployment.spec.template.spec.containers[0];
      expect(hooks.image).toMatch(/^registry\.example\.com\/rocketmq-operator:/);
      expect(envOf(hooks, 'RUNNER_IMAGE')).toBe(hooks.image);
      const controllers = JSON.parse(await kubectl(['get', 'compositecontrollers', '-o', 'json']));
      expect(controllers.items.map((c: KubeObject) => c.metadata.name).sort()).toEqual([
        'rocketmq-broker',
        'rocketmq-console',
        'rocketmq-nameservice',
        'rocketmq-proxy',
        'rocketmq-topictransfer',
      ]);
      for (const c of controllers.items) {
        expect(c.spec.hooks.sync.webhook.service).toEqual({ name: RELEASE, namespace: NAMESPACE, port: 80 });
      }

      await ok(['uninstall', RELEASE, '--namespace', NAMESPACE], kubeconfig);
      expect((await kube.kubectl(['get', 'deployment', RELEASE, '-n', NAMESPACE])).code).not.toBe(0);
      expect(JSON.parse(await kubectl(['get', 'compositecontrollers', '-o', 'json'])).items).toEqual([]);
    });
  });
});
