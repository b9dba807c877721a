// The API and everything the hooks render, checked by a real kube-apiserver rather than by our own
// reading of the schema: CRDs, CEL rules, examples, CompositeControllers, children and manifests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { packageRoot } from '../../hooks/schema/crds.js';
import { parseManifests, renderManifests } from '../../hooks/dry-run.js';
import type { KubeObject } from '../../hooks/core/metacontroller.js';
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

async function newNamespace(name: string): Promise<string> {
  await ok(['create', 'namespace', name]);
  return name;
}

suite('the CRDs', () => {
  it.each(['nameservices', 'brokers', 'consoles', 'topictransfers', 'proxies'])(
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
    const list = stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: children.map((c) => ({ ...c, metadata: { ...c.metadata, namespace } })),
    });
    const applied = await ok(
      ['apply', '--server-side', '--field-manager=metacontroller', '--dry-run=server', '-o', 'name', '-f', '-'],
      list,
    );
    expect(applied.trim().split('\n')).toHaveLength(children.length);
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
      { kind: 'Broker', spec: { clusterMode: 'CONTROLLER' } },
      /spec\.clusterMode: Unsupported value/,
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

  it.each(cases)('%s', async (_name, { kind, spec }: { kind?: string; spec?: object }, message) => {
    const object = { apiVersion: 'rocketmq.apache.org/v1alpha1', kind, metadata: { name: 'bad', namespace: 'default' }, spec };
    const result = await kube.kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(object));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
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
    await ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd/compositecontrollers.metacontroller.k8s.io']);
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
});
