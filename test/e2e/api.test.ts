// The API and everything the hooks render, checked by a real kube-apiserver rather than by our own
// reading of the schema: CRDs, CEL rules, examples, CompositeControllers, children and manifests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { packageRoot } from '../../hooks/schema/crds.js';
import { parseManifests, renderManifests } from '../../hooks/dry-run.js';
import type { KubeObject } from '../../hooks/core/metacontroller.js';
import { nameServiceHooks } from '../../hooks/nameservice/hooks.js';
import { kubeSkipReason, startApiServer, type ApiServer } from '../support/apiserver.js';

const BUILD_TIMEOUT_MS = 25 * 60 * 1000;
const root = packageRoot();
const yamlFiles = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort();

let kube: ApiServer;
const unavailable = await kubeSkipReason('the API e2e tests');
const suite = unavailable ? describe.skip : describe;

beforeAll(async () => {
  if (unavailable) return;
  kube = await startApiServer();
  const crds = await kube.kubectl(['apply', '-k', join(root, 'crds')]);
  if (crds.code !== 0) throw new Error(`installing the CRDs failed: ${crds.stderr}`);
  const established = await kube.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
  if (established.code !== 0) throw new Error(`CRDs not established: ${established.stderr}`);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await kube?.stop();
});

async function ok(args: string[], stdin?: string): Promise<string> {
  const result = await kube.kubectl(args, stdin);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** A server-side dry-run apply of rendered children into `namespace`, as Metacontroller applies them; the names applied. */
async function applyAsMetacontroller(children: KubeObject[], namespace: string): Promise<string[]> {
  const list = stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: children.map((c) => ({ ...c, metadata: { ...c.metadata, namespace } })),
  });
  const applied = await ok(['apply', '--server-side', '--field-manager=metacontroller', '--dry-run=server', '-o', 'name', '-f', '-'], list);
  return applied.trim().split('\n');
}

async function newNamespace(name: string): Promise<string> {
  await ok(['create', 'namespace', name]);
  return name;
}

suite('the CRDs', () => {
  it.each(['nameservices', 'brokers', 'consoles', 'topictransfers', 'proxies', 'controllers'])(
    '%s are established with the status subresource',
    async (plural) => {
      const crd = JSON.parse(await ok(['get', 'crd', `${plural}.rocketmq.apache.org`, '-o', 'json']));
      expect(crd.status.conditions.find((c: { type: string }) => c.type === 'Established').status).toBe('True');
      expect(crd.spec.versions[0].subresources.status).toEqual({});
    },
  );

  it('teach the API through kubectl explain', async () => {
    // The OpenAPI document that explain reads is published a moment after the CRDs are established.
    for (let tries = 0; (await kube.kubectl(['explain', 'nameservices'])).code !== 0; tries += 1) {
      if (tries > 60) throw new Error('kubectl explain never found the NameService schema');
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(await ok(['explain', 'nameservices.spec.size'])).toMatch(/Number of name server pods/);
    expect(await ok(['explain', 'brokers.spec.scalePodName'])).toMatch(/subscription groups are copied to new groups/);
    expect(await ok(['explain', 'topictransfers.spec.sourceCluster'])).toMatch(/Where the topic is now/);
    expect(await ok(['explain', 'proxies.spec.brokerClusterRef'])).toMatch(
      /Name of the Broker in this namespace whose cluster the proxies serve/,
    );
    expect(await ok(['explain', 'controllers.spec.size'])).toMatch(/Number of controllers/);
    expect(await ok(['explain', 'brokers.spec.clusterMode'])).toMatch(/How a group's master is chosen/);
    expect(await ok(['explain', 'brokers.spec.controllerRef'])).toMatch(/Name of a Controller in this namespace/);
    expect(await ok(['explain', 'nameservices.spec.controller.enabled'])).toMatch(/Run the controller in the name servers/);
  });
});

suite('the examples', () => {
  it.each(yamlFiles('example'))('%s is accepted by a server-side dry run', async (file) => {
    await ok(['apply', '--dry-run=server', '-f', join(root, 'example', file)]);
  });

  it.each(yamlFiles('example'))('every child rendered from %s passes a server-side dry-run apply', async (file) => {
    const namespace = await newNamespace(`children-${file.replace('.yaml', '')}`);
    const inNamespace = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, namespace } });
    const objects = parseManifests(readFileSync(join(root, 'example', file), 'utf8')).map(inNamespace);
    // Resources that lean on a NameService (or a Proxy on a Broker) from another file find it as they would in the cluster.
    const lacks = (kind: string) => !objects.some((o) => o.kind === kind);
    const fromFile = (name: string) => parseManifests(readFileSync(join(root, 'example', `${name}.yaml`), 'utf8')).map(inNamespace);
    const context = [
      ...(lacks('NameService') ? fromFile('nameservice') : []),
      ...(lacks('Proxy') || !lacks('Broker') ? [] : fromFile('broker')),
    ];
    const own = new Set<KubeObject>(objects);
    const children: KubeObject[] = renderManifests([...objects, ...context], new Date())
      .filter((r) => own.has(r.parent))
      .flatMap((r) => r.children);
    expect(children.length).toBeGreaterThan(0);
    expect(await applyAsMetacontroller(children, namespace)).toHaveLength(children.length);
  });
});

suite("the original operator's CONTROLLER-mode Broker", () => {
  const file = join(root, 'test', 'fixtures', 'original-operator', 'broker-controller-mode.yaml');

  it('applies unchanged', async () => {
    const applied = await ok(['apply', '--dry-run=server', '-o', 'name', '-f', file]);
    expect(applied).toMatch(/broker\.rocketmq\.apache\.org\/broker/);
  });

  it('renders children that pass a server-side dry-run apply', async () => {
    const namespace = await newNamespace('original-controller-mode');
    const objects = parseManifests(readFileSync(file, 'utf8')).map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
    const children = renderManifests(objects, new Date()).flatMap((r) => r.children);
    expect(children.map((c) => `${c.kind}/${c.metadata.name}`)).toEqual(
      expect.arrayContaining(['StatefulSet/broker-0-0', 'StatefulSet/broker-0-1']),
    );
    expect(await applyAsMetacontroller(children, namespace)).toHaveLength(children.length);
  });
});

suite('topology spread constraints', () => {
  const zoneSpread = [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      minDomains: 2,
      matchLabelKeys: ['pod-template-hash'],
      labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['mq'] }] },
    },
  ];
  const resource = (kind: string, name: string, namespace: string, spec: object): KubeObject => ({
    apiVersion: 'rocketmq.apache.org/v1alpha1',
    kind,
    metadata: { name, namespace },
    spec,
  });
  const dashboard = {
    spec: { template: { spec: { topologySpreadConstraints: zoneSpread, containers: [{ name: 'c', image: 'dashboard:1' }] } } },
  };
  const list = (items: KubeObject[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  const spreadOf = (workload: any) => workload.spec.template.spec.topologySpreadConstraints;

  it('are stored on every kind and in every rendered pod template exactly as rendered, the default master spread included', async () => {
    const namespace = await newNamespace('scheduling');
    const parents = [
      resource('NameService', 'ns', namespace, { topologySpreadConstraints: zoneSpread }),
      resource('Broker', 'broker', namespace, { size: 2, nameServiceRef: 'ns' }),
      resource('Proxy', 'proxy', namespace, { brokerClusterRef: 'broker', nameServiceRef: 'ns', topologySpreadConstraints: zoneSpread }),
      resource('Console', 'console', namespace, { nameServiceRef: 'ns', consoleDeployment: dashboard }),
    ];
    const storedParents = JSON.parse(await ok(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], list(parents))).items;
    expect(
      storedParents.map((p: any) => (p.kind === 'Console' ? spreadOf(p.spec.consoleDeployment) : p.spec.topologySpreadConstraints)),
    ).toEqual([zoneSpread, undefined, zoneSpread, zoneSpread]);

    const workloads = renderManifests(parents, new Date())
      .flatMap((r) => r.children)
      .filter((c) => c.kind === 'StatefulSet' || c.kind === 'Deployment');
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual([
      'broker-0-master',
      'broker-0-replica-1',
      'broker-1-master',
      'broker-1-replica-1',
      'console',
      'ns',
      'proxy',
    ]);
    const applied = await ok(
      ['apply', '--server-side', '--field-manager=metacontroller', '--dry-run=server', '-o', 'json', '-f', '-'],
      list(workloads),
    );
    const stored = JSON.parse(applied).items;
    expect(stored.map(spreadOf)).toEqual(workloads.map(spreadOf));
    expect(stored.map((w: any) => w.spec.template.spec.affinity)).toEqual(workloads.map((w: any) => w.spec.template.spec.affinity));
    // Both broker masters carry the default spread, which the API server stores without filling anything in.
    expect(stored.filter((w: any) => w.metadata.name.endsWith('-master')).map(spreadOf)).toEqual([
      [expect.objectContaining({ whenUnsatisfiable: 'ScheduleAnyway' })],
      [expect.objectContaining({ whenUnsatisfiable: 'ScheduleAnyway' })],
    ]);
    expect(JSON.stringify(stored.map(spreadOf))).not.toMatch(/nodeAffinityPolicy|nodeTaintsPolicy/);
  });

  it.each([
    [
      'minDomains with ScheduleAnyway',
      [{ ...zoneSpread[0], whenUnsatisfiable: 'ScheduleAnyway' }],
      /minDomains applies only with whenUnsatisfiable DoNotSchedule/,
    ],
    ['two constraints on the same key and policy', [zoneSpread[0], { ...zoneSpread[0], maxSkew: 2 }], /Duplicate value/],
    ['a maxSkew of 0', [{ ...zoneSpread[0], maxSkew: 0 }], /maxSkew: Invalid value: 0/],
  ])('refuse %s', async (_name, topologySpreadConstraints, message) => {
    const result = await kube.kubectl(
      ['apply', '--dry-run=server', '-f', '-'],
      JSON.stringify(resource('NameService', 'bad-spread', 'default', { topologySpreadConstraints })),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});

suite('growing claims', () => {
  it('the command StorageResizePending gives grows a bound claim whose StorageClass allows expansion', async () => {
    const namespace = await newNamespace('storage-growth');
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'StorageClass',
            metadata: { name: 'expandable' },
            provisioner: 'example.com/disk',
            allowVolumeExpansion: true,
          },
          {
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            metadata: { name: 'logs-ns-0' },
            spec: {
              capacity: { storage: '1Gi' },
              accessModes: ['ReadWriteOnce'],
              storageClassName: 'expandable',
              hostPath: { path: '/tmp/logs-ns-0' },
              claimRef: { namespace, name: 'logs-ns-0' },
            },
          },
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: 'logs-ns-0', namespace },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: 'expandable',
              volumeName: 'logs-ns-0',
              resources: { requests: { storage: '1Gi' } },
            },
          },
        ],
      }),
    );
    // No controller runs here: the claim is marked bound as the PV controller would.
    await ok([
      '-n',
      namespace,
      'patch',
      'pvc',
      'logs-ns-0',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Bound","capacity":{"storage":"1Gi"}}}',
    ]);
    const claimTemplate = (storage: string) => ({
      metadata: { name: 'logs' },
      spec: { storageClassName: 'expandable', resources: { requests: { storage } } },
    });
    const parent = (storage: string): KubeObject => ({
      apiVersion: 'rocketmq.apache.org/v1alpha1',
      kind: 'NameService',
      metadata: { name: 'ns', namespace },
      spec: {
        size: 1,
        storageMode: 'StorageClass',
        volumeClaimTemplates: [claimTemplate(storage)],
      },
    });
    const created = nameServiceHooks.sync({ parent: parent('1Gi') }, new Date());
    const claim = JSON.parse(await ok(['-n', namespace, 'get', 'pvc', 'logs-ns-0', '-o', 'json']));
    const grow = () =>
      nameServiceHooks
        .sync(
          {
            parent: parent('2Gi'),
            children: { 'StatefulSet.apps/v1': { [`${namespace}/ns`]: created.children.find((c) => c.kind === 'StatefulSet')! } },
            related: { 'PersistentVolumeClaim.v1': { [`${namespace}/logs-ns-0`]: claim } },
          },
          new Date(),
        )
        .status.conditions!.find((c) => c.type === 'StorageResizePending');

    const command = /kubectl -n (\S+) patch pvc (\S+) -p '([^']+)'/.exec(grow()!.message!);
    expect(command).not.toBeNull();
    const [, where, name, patch] = command!;
    await ok(['-n', where, 'patch', 'pvc', name, '-p', patch]);
    Object.assign(claim, JSON.parse(await ok(['-n', namespace, 'get', 'pvc', 'logs-ns-0', '-o', 'json'])));
    expect(claim.spec.resources.requests.storage).toBe('2Gi');
    expect(grow()).toBeUndefined();
  });
});

suite('invalid resources are refused with a message naming the field', () => {
  const cases: [string, object, RegExp][] = [
    ['a NameService of size 0', { kind: 'NameService', spec: { size: 0 } }, /spec\.size/],
    ['an unknown storage mode', { kind: 'NameService', spec: { storageMode: 'Tape' } }, /spec\.storageMode: Unsupported value: "Tape"/],
    [
      'HostPath without hostPath',
      { kind: 'NameService', spec: { storageMode: 'HostPath' } },
      /spec\.hostPath is required when spec\.storageMode is HostPath/,
    ],
    [
      'StorageClass without a claim template',
      { kind: 'NameService', spec: { storageMode: 'StorageClass' } },
      /spec\.volumeClaimTemplates\[0\] is required/,
    ],
    ['NFS without a claim template', { kind: 'Broker', spec: { storageMode: 'NFS' } }, /spec\.volumeClaimTemplates\[0\] is required/],
    ['a negative replicaPerGroup', { kind: 'Broker', spec: { replicaPerGroup: -1 } }, /spec\.replicaPerGroup/],
    [
      'a cluster mode this operator does not run',
      { kind: 'Broker', spec: { clusterMode: 'CONTAINER' } },
      /spec\.clusterMode: Unsupported value/,
    ],
    [
      'a DLEDGER group of two brokers',
      { kind: 'Broker', spec: { replicationMode: 'DLEDGER', replicaPerGroup: 1 } },
      /spec\.replicaPerGroup: Invalid value.*spec\.replicaPerGroup must be at least 2 with spec\.replicationMode DLEDGER/,
    ],
    [
      'DLEDGER in controller mode',
      { kind: 'Broker', spec: { clusterMode: 'CONTROLLER', replicationMode: 'DLEDGER', replicaPerGroup: 2 } },
      /spec\.replicationMode DLEDGER cannot be combined with spec\.clusterMode CONTROLLER/,
    ],
    [
      'a Controller named outside controller mode',
      { kind: 'Broker', spec: { controllerRef: 'controller' } },
      /spec\.controllerRef and spec\.controllerAddr apply only to spec\.clusterMode CONTROLLER/,
    ],
    [
      'a controller list with a scheme',
      { kind: 'Broker', spec: { clusterMode: 'CONTROLLER', controllerAddr: 'tcp://c:9878' } },
      /spec\.controllerAddr/,
    ],
    ['an unknown replication mode', { kind: 'Broker', spec: { replicationMode: 'FAST' } }, /spec\.replicationMode: Unsupported value/],
    [
      'both nameServers and nameServiceRef',
      { kind: 'Broker', spec: { nameServers: 'a:9876', nameServiceRef: 'ns' } },
      /set either spec\.nameServers or spec\.nameServiceRef/,
    ],
    [
      'acl enabled without its Secret',
      { kind: 'Broker', spec: { acl: { enabled: true } } },
      /spec\.acl\.adminSecret is required when spec\.acl\.enabled is true/,
    ],
    [
      'an admin Secret name that is no Secret name',
      { kind: 'Broker', spec: { acl: { enabled: true, adminSecret: 'No_Such' } } },
      /spec\.acl\.adminSecret/,
    ],
    ['a Console without a Deployment', { kind: 'Console', spec: {} }, /spec\.consoleDeployment: Required value/],
    [
      'a Console Deployment without containers',
      { kind: 'Console', spec: { consoleDeployment: { spec: { template: { spec: { containers: [] } } } } } },
      /needs at least one container/,
    ],
    ['a Proxy of size 0', { kind: 'Proxy', spec: { size: 0 } }, /spec\.size/],
    ['a Proxy Service of another type', { kind: 'Proxy', spec: { serviceType: 'ExternalName' } }, /spec\.serviceType: Unsupported value/],
    [
      'a Proxy setting the name servers in spec.config',
      { kind: 'Proxy', spec: { config: { namesrvAddr: 'a:9876' } } },
      /spec\.config\.namesrvAddr is set by the operator/,
    ],
    [
      'a Proxy moving its ports in spec.config',
      { kind: 'Proxy', spec: { config: { grpcServerPort: '9000' } } },
      /spec\.config\.remotingListenPort and spec\.config\.grpcServerPort are fixed/,
    ],
    [
      'a Proxy with both name server settings',
      { kind: 'Proxy', spec: { nameServers: 'a:9876', nameServiceRef: 'ns' } },
      /set either spec\.nameServers or spec\.nameServiceRef/,
    ],
    ['a Controller of an even size', { kind: 'Controller', spec: { size: 4 } }, /spec\.size must be odd/],
    ['a Controller of more than 9', { kind: 'Controller', spec: { size: 11 } }, /spec\.size/],
    [
      'a Controller named too long for <name>-svc-headless',
      { kind: 'Controller', name: 'c'.repeat(51), spec: {} },
      /metadata\.name must be at most 50 characters/,
    ],
    [
      'a transfer onto its own source',
      { kind: 'TopicTransfer', spec: { topic: 't', sourceCluster: 'a', targetCluster: 'a' } },
      /spec\.targetCluster must differ from spec\.sourceCluster/,
    ],
    [
      'a transfer without a topic',
      { kind: 'TopicTransfer', spec: { sourceCluster: 'a', targetCluster: 'b' } },
      /spec\.topic: Required value/,
    ],
    [
      'a topic name RocketMQ refuses',
      { kind: 'TopicTransfer', spec: { topic: 'a b', sourceCluster: 'a', targetCluster: 'b' } },
      /spec\.topic/,
    ],
  ];

  it.each(cases)('%s', async (_name, { kind, name, spec }: { kind?: string; name?: string; spec?: object }, message) => {
    const object = { apiVersion: 'rocketmq.apache.org/v1alpha1', kind, metadata: { name: name ?? 'bad', namespace: 'default' }, spec };
    const result = await kube.kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(object));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    [
      'STATIC to CONTROLLER',
      {},
      { clusterMode: 'CONTROLLER' },
      /spec\.clusterMode: Invalid value.*spec\.clusterMode cannot change on an existing Broker/,
    ],
    ['STATIC to DLEDGER', { replicaPerGroup: 2 }, { replicationMode: 'DLEDGER' }, /spec\.replicationMode cannot change to or from DLEDGER/],
    [
      'DLEDGER to SYNC',
      { replicationMode: 'DLEDGER', replicaPerGroup: 2 },
      { replicationMode: 'SYNC' },
      /spec\.replicationMode cannot change to or from DLEDGER/,
    ],
    [
      'CONTROLLER to STATIC',
      { clusterMode: 'CONTROLLER' },
      { clusterMode: 'STATIC' },
      /spec\.clusterMode cannot change on an existing Broker/,
    ],
  ])('a Broker whose mode changes once it exists (%s)', async (label, before: object, after: object, message) => {
    const name = `mode-${label.toLowerCase().replace(/ /g, '-')}`;
    const object = { apiVersion: 'rocketmq.apache.org/v1alpha1', kind: 'Broker', metadata: { name, namespace: 'default' }, spec: before };
    await ok(['apply', '-f', '-'], JSON.stringify(object));
    const changed = await kube.kubectl(['apply', '-f', '-'], JSON.stringify({ ...object, spec: { ...before, ...after } }));
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toMatch(message);
    // Other changes within the mode are accepted.
    const sameMode = await kube.kubectl(['apply', '-f', '-'], JSON.stringify({ ...object, spec: { ...before, size: 2 } }));
    expect(sameMode.code).toBe(0);
  });

  it('a transfer whose topic or clusters change once it exists', async () => {
    const transfer = {
      apiVersion: 'rocketmq.apache.org/v1alpha1',
      kind: 'TopicTransfer',
      metadata: { name: 'fixed', namespace: 'default' },
      spec: { topic: 't', sourceCluster: 'a', targetCluster: 'b' },
    };
    await ok(['apply', '-f', '-'], JSON.stringify(transfer));
    const changed = await kube.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({ ...transfer, spec: { ...transfer.spec, targetCluster: 'c' } }),
    );
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toMatch(/cannot change once a transfer exists/);
  });
});

suite('Metacontroller integration', () => {
  beforeAll(async () => {
    await ok(['apply', '-f', join(root, '..', 'shared', 'metacontroller', 'metacontroller-crds-v1.yaml')]);
    // Not the Prometheus Operator's CRD: a minimal one with the fields the operator sets, to check their shape.
    await ok(['apply', '-f', join(root, 'test', 'fixtures', 'servicemonitor-crd.yaml')]);
    await ok([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/compositecontrollers.metacontroller.k8s.io',
      'crd/servicemonitors.monitoring.coreos.com',
    ]);
  });

  it.each(yamlFiles('compositecontrollers'))('compositecontrollers/%s is accepted', async (file) => {
    await ok(['apply', '--dry-run=server', '-f', join(root, 'compositecontrollers', file)]);
  });

  it('the manifests install with a server-side dry run', async () => {
    const built = await ok(['kustomize', join(root, 'manifests')]);
    await ok(['create', 'namespace', 'rocketmq-operator']);
    const applied = await ok(['apply', '--server-side', '--dry-run=server', '-o', 'name', '-f', '-'], built);
    expect(applied).toMatch(/deployment\.apps\/rocketmq-operator/);
    expect(applied).toMatch(/compositecontroller\.metacontroller\.k8s\.io\/rocketmq-nameservice/);
    expect(applied).toMatch(/networkpolicy\.networking\.k8s\.io\/rocketmq-operator/);
  });

  it('overlays/servicemonitors installs with a server-side dry run where ServiceMonitors are served', async () => {
    const built = await ok(['kustomize', join(root, 'overlays', 'servicemonitors')]);
    const applied = await ok(['apply', '--server-side', '--dry-run=server', '-o', 'name', '-f', '-'], built);
    expect(applied).toMatch(/compositecontroller\.metacontroller\.k8s\.io\/rocketmq-broker/);
  });

  it("a Broker's ServiceMonitor and the Service it selects pass a server-side dry-run apply", async () => {
    const namespace = await newNamespace('broker-servicemonitor');
    const objects = parseManifests(readFileSync(join(root, 'example', 'cluster.yaml'), 'utf8')).map((o) =>
      o.kind === 'Broker' ? { ...o, spec: { ...(o.spec as object), metrics: { serviceMonitor: true } } } : o,
    );
    const children = renderManifests(objects, new Date())
      .flatMap((r) => r.children)
      .filter((c) => c.kind === 'ServiceMonitor' || (c.kind === 'Service' && c.metadata.name.endsWith('-brokers')));
    expect(children.map((c) => c.kind).sort()).toEqual(['Service', 'ServiceMonitor']);
    expect((await applyAsMetacontroller(children, namespace)).sort()).toEqual([
      'service/broker-brokers',
      'servicemonitor.monitoring.coreos.com/broker-brokers',
    ]);
  });
});
