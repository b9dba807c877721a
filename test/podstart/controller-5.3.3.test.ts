// The pods a Controller of 3 renders, started on the official 5.3.3 image layout with a read-only
// root filesystem: each finds its own file by its ordinal, the three elect one leader over their
// stable DNS names, the JVMs are sized from the limit, and a leader stopped as the kubelet stops a
// pod (preStop, SIGTERM) exits within the grace period while the two left elect another.
import { jest } from '@jest/globals';
import { RemotingClient } from '../../hooks/rocketmq/client.js';
import { PodCluster } from './support/cluster.js';
import { lastFlag } from './support/checks.js';
import { officialImage } from './support/image.js';
import { commandLine, processUid, type Pod } from './support/pod.js';
import { CONTROLLER_GET_METADATA_INFO } from '../support/rocketmq-controllers.js';
import { NAMESPACE } from './manifests.js';

const PODS = ['ctl-group-0', 'ctl-group-1', 'ctl-group-2'];

const manifest = `apiVersion: rocketmq.apache.org/v1alpha1
kind: Controller
metadata: { name: ctl-group, namespace: ${NAMESPACE} }
spec:
  size: 3
  controllerImage: apache/rocketmq:5.3.3
  resources: { limits: { memory: 1Gi } }
  containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] }, readOnlyRootFilesystem: true }
  storageMode: StorageClass
  volumeClaimTemplates:
    - metadata: { name: controller-storage }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
`;

describe('rendered Controller pods on apache/rocketmq:5.3.3, read-only root filesystem', () => {
  jest.setTimeout(180_000);
  const client = new RemotingClient({ timeoutMs: 1500, connectTimeoutMs: 500 });
  let cluster: PodCluster;

  /** The leader id each pod reports (undefined while it does not answer or knows none). */
  async function leaders(pods: Pod[]): Promise<(string | undefined)[]> {
    return Promise.all(
      pods.map((pod) =>
        client.call(`${pod.address}:9878`, CONTROLLER_GET_METADATA_INFO).then(
          (reply) => reply.extFields?.controllerLeaderId || undefined,
          () => undefined,
        ),
      ),
    );
  }

  /** The Raft id of a pod: n and its ordinal. */
  const idOf = (pod: Pod) => `n${PODS.indexOf(pod.name)}`;

  /** Polls until every pod of `pods` reports the same leader, itself one of them. */
  async function agreedLeader(pods: Pod[], timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = await leaders(pods);
      if (pods.some((p) => idOf(p) === seen[0]) && seen.every((id) => id === seen[0])) return seen[0]!;
      if (Date.now() > deadline) throw new Error(`no agreed leader: ${JSON.stringify(seen)}\n${pods.map((p) => p.log()).join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    cluster = await PodCluster.create(manifest, [officialImage('5.3.3')]);
    for (const pod of cluster.start(...PODS)) await pod.waitReady(90_000);
  });
  afterAll(async () => {
    client.close();
    await cluster?.stop();
  });

  it('elect one leader over their stable DNS names', async () => {
    const leader = await agreedLeader(
      PODS.map((p) => cluster.pod(p)),
      60_000,
    );
    expect(['n0', 'n1', 'n2']).toContain(leader);
  });

  it('run ControllerStartup from their own file as uid 3000, the heap sized from the 1Gi limit', async () => {
    for (const [i, name] of PODS.entries()) {
      const java = await cluster.pod(name).javaPid();
      const args = commandLine(java);
      expect(processUid(java)).toBe(3000);
      expect(args).toContain('org.apache.rocketmq.controller.ControllerStartup');
      expect(args.slice(-2)).toEqual(['-c', `/etc/rocketmq-controller/n${i}.conf`]);
      expect([lastFlag(args, '-Xms'), lastFlag(args, '-Xmx'), lastFlag(args, '-Xmn')]).toEqual(['512m', '512m', '256m']);
    }
  });

  it('a leader stopped as the kubelet stops it exits within the grace period, and the others elect another', async () => {
    const pods = PODS.map((p) => cluster.pod(p));
    const old = await agreedLeader(pods, 30_000);
    const leaderPod = pods.find((p) => idOf(p) === old)!;
    const stopped = await leaderPod.terminate();
    expect(stopped.killed).toBe(false);
    const started = Date.now();
    const next = await agreedLeader(
      pods.filter((p) => p !== leaderPod),
      45_000,
    );
    console.log(`controller pods: ${next} leads ${Date.now() - started} ms after ${old} stopped (stop took ${stopped.totalMs} ms)`);
    expect(next).not.toBe(old);
  });
});
