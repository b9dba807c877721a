// The role observer's Kubernetes side on a real kube-apiserver, acting as its ServiceAccount with
// exactly the Role the Broker hook renders: it lists the broker pods and annotates them, and may
// touch nothing else. Missing binaries fail this file, unless SKIP_KUBE_E2E=1 says to skip.
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { brokerMembers } from '../../hooks/broker/members.js';
import { renderRoleObserverAccess, roleObserverName } from '../../hooks/broker/render/role-observer.js';
import { ROLE_ANNOTATION } from '../../hooks/broker/roles.js';
import { kubernetesBrokerPods } from '../../hooks/runner/roles/kube-pods.js';
import { observeRound } from '../../hooks/runner/roles/observe.js';
import type { ClusterInfo } from '../../hooks/rocketmq/types.js';
import { kubeSkipReason, serviceAccountIdentity, startApiServer, type ApiServer } from '../support/apiserver.js';

const BUILD_TIMEOUT_MS = 25 * 60 * 1000;
const NAMESPACE = 'mq';
const SELECTOR = 'app=broker,broker_cr=mq';

const unavailable = await kubeSkipReason('the role observer RBAC tests');

(unavailable ? describe.skip : describe)('the role observer on a kube-apiserver', () => {
  let kube: ApiServer;
  let observer: KubeConfig;
  const members = brokerMembers('mq', { size: 1, replicaPerGroup: 1 }, []);
  const masterPod = members.find((m) => m.brokerId === 0)!.pod;
  const replicaPod = members.find((m) => m.brokerId === 1)!.pod;
  const identity = serviceAccountIdentity(NAMESPACE, roleObserverName('mq'));

  async function ok(args: string[], stdin?: string): Promise<string> {
    const result = await kube.kubectl(args, stdin);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
    return result.stdout;
  }

  async function annotations(pod: string): Promise<Record<string, string>> {
    return JSON.parse(await ok(['get', 'pod', pod, '-n', NAMESPACE, '-o', 'json'])).metadata.annotations ?? {};
  }

  async function createPod(name: string, broker: string, ip: string): Promise<void> {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NAMESPACE, labels: { app: 'broker', broker_cr: broker } },
      spec: { containers: [{ name: 'broker', image: 'apache/rocketmq:5.3.3' }] },
    };
    await ok(['create', '-f', '-'], JSON.stringify(pod));
    // No kubelet runs here: the pod IP is written as the kubelet would, on the status.
    await kube.kubeConfig
      .makeApiClient(CoreV1Api)
      .patchNamespacedPodStatus(
        { name, namespace: NAMESPACE, body: { status: { podIP: ip, podIPs: [{ ip }] } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
  }

  const canI = async (...args: string[]) => (await kube.kubectlAs(identity, ['auth', 'can-i', ...args, '-n', NAMESPACE])).stdout.trim();

  beforeAll(async () => {
    kube = await startApiServer();
    await ok(['create', 'namespace', NAMESPACE]);
    for (const object of renderRoleObserverAccess({ name: 'mq', namespace: NAMESPACE, clusterName: 'mq', members, runnerImage: 'runner' }))
      await ok(['apply', '-f', '-'], JSON.stringify(object));
    await createPod(masterPod, 'mq', '10.0.0.1');
    await createPod(replicaPod, 'mq', '10.0.0.2');
    await createPod('other-0-master-0', 'other', '10.0.9.1');
    observer = new KubeConfig();
    observer.loadFromFile(await kube.writeKubeconfig('observer', { impersonate: identity }));
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await kube?.stop();
  });

  it('writes the roles of the Broker pods as their ServiceAccount, and only the changes', async () => {
    const pods = kubernetesBrokerPods(observer, NAMESPACE, SELECTOR);
    expect((await pods.listPods()).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: masterPod, ip: '10.0.0.1' },
      { name: replicaPod, ip: '10.0.0.2' },
    ]);
    // The name servers report the second pod as master: roles moved at run time.
    const info: ClusterInfo = {
      clusters: new Map([['mq', ['mq-0']]]),
      brokers: new Map([
        [
          'mq-0',
          {
            cluster: 'mq',
            brokerName: 'mq-0',
            brokerAddrs: new Map([
              [0, '10.0.0.2:10911'],
              [1, '10.0.0.1:10911'],
            ]),
          },
        ],
      ]),
    };
    const deps = { clusterInfo: async () => info, ...pods, log: () => undefined };
    expect(await observeRound(deps, 'mq')).toHaveLength(2);
    expect((await annotations(masterPod))[ROLE_ANNOTATION]).toBe('replica');
    expect((await annotations(replicaPod))[ROLE_ANNOTATION]).toBe('master');
    const version = JSON.parse(await ok(['get', 'pod', replicaPod, '-n', NAMESPACE, '-o', 'json'])).metadata.resourceVersion;
    expect(await observeRound(deps, 'mq')).toEqual([]);
    expect(JSON.parse(await ok(['get', 'pod', replicaPod, '-n', NAMESPACE, '-o', 'json'])).metadata.resourceVersion).toBe(version);
    // A pod no longer registered loses its role.
    info.brokers.get('mq-0')!.brokerAddrs.delete(1);
    await observeRound(deps, 'mq');
    expect(await annotations(masterPod)).not.toHaveProperty([ROLE_ANNOTATION]);
  });

  it('may not annotate pods of another Broker', async () => {
    await expect(kubernetesBrokerPods(observer, NAMESPACE, SELECTOR).annotate({ pod: 'other-0-master-0', role: 'master' })).rejects.toThrow(
      /403|forbidden/i,
    );
    expect(await annotations('other-0-master-0')).not.toHaveProperty([ROLE_ANNOTATION]);
  });

  it('may read pods and patch its Broker pods, and nothing else', async () => {
    expect(await canI('list', 'pods')).toBe('yes');
    expect(await canI('watch', 'pods')).toBe('yes');
    expect(await canI('patch', `pods/${masterPod}`)).toBe('yes');
    for (const denied of [
      ['patch', 'pods/other-0-master-0'],
      ['delete', `pods/${masterPod}`],
      ['create', 'pods'],
      ['update', `pods/${masterPod}`],
      ['get', 'secrets'],
      ['list', 'configmaps'],
      ['patch', 'statefulsets'],
      ['create', 'pods/exec'],
      ['patch', 'roles'],
      ['list', 'pods', '--all-namespaces'],
    ]) {
      expect([denied.join(' '), await canI(...denied)]).toEqual([denied.join(' '), 'no']);
    }
  });
});
