// A whole control plane on loopback: etcd and kube-apiserver (test/support/apiserver.ts, here with
// an audit log and the ServiceAccount admission plugin), kube-controller-manager (Job, StatefulSet,
// Deployment, garbage collector, ServiceAccount and PersistentVolume controllers), kube-scheduler,
// and kwok playing the kubelet of a few simulated nodes. Persistent volumes are provided by a small
// loop that creates a PersistentVolume for each pending claim (what a storage provisioner would do).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../support/apiserver.js';
import { freePort } from '../../support/ports.js';
import type { SystemBinaries } from './binaries.js';
import { startDaemon, until, type Daemon } from './processes.js';
import { KWOK_STAGES } from './kwok-stages.js';

/** Metacontroller's identity: its own ServiceAccount, so the audit log can tell its writes apart. */
export const METACONTROLLER_USER = 'system:serviceaccount:metacontroller:metacontroller';

// Writes by Metacontroller are recorded (object, verb, user); nothing else is.
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    users: ["${METACONTROLLER_USER}"]
    verbs: [create, update, patch, delete]
  - level: None
`;

export const NODES = ['kwok-node-0', 'kwok-node-1', 'kwok-node-2', 'kwok-node-3'];

export interface ControlPlane {
  api: ApiServer;
  auditLog: string;
  daemons: Daemon[];
  /** Claims (namespace/name) that get no volume while listed here: their pods stay Pending. */
  heldClaims: Set<string>;
  stop(): Promise<void>;
}

export async function startControlPlane(bin: SystemBinaries): Promise<ControlPlane> {
  // The apiserver's temp dir is only known once it runs, so the audit files get their own.
  const auditDir = await mkdtemp(join(tmpdir(), 'rocketmq-system-audit-'));
  const auditLog = join(auditDir, 'audit.log');
  await writeFile(join(auditDir, 'policy.yaml'), AUDIT_POLICY);
  const api = await startApiServer({
    serviceAccountAdmission: true,
    apiServerArgs: [
      `--audit-policy-file=${join(auditDir, 'policy.yaml')}`,
      `--audit-log-path=${auditLog}`,
      '--audit-log-format=json',
      '--audit-log-mode=blocking',
    ],
  });
  const daemons: Daemon[] = [];
  const stopAll = async () => {
    stopped = true;
    for (const d of [...daemons].reverse()) await d.stop();
    await api.stop();
    await rm(auditDir, { recursive: true, force: true });
  };
  let stopped = false;
  try {
    const [cmPort, schedPort, kwokPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const log = (name: string) => join(api.dir, `${name}.log`);
    daemons.push(
      startDaemon(
        'kube-controller-manager',
        join(bin.kubeDir, 'kube-controller-manager'),
        [
          `--kubeconfig=${api.kubeconfigPath}`,
          `--authentication-kubeconfig=${api.kubeconfigPath}`,
          `--authorization-kubeconfig=${api.kubeconfigPath}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${cmPort}`,
          '--leader-elect=false',
          '--use-service-account-credentials=false',
          `--service-account-private-key-file=${join(api.dir, 'sa.key')}`,
          `--root-ca-file=${join(api.dir, 'ca.crt')}`,
          '--concurrent-statefulset-syncs=5',
          '-v=1',
        ],
        { log: log('kube-controller-manager') },
      ),
      startDaemon(
        'kube-scheduler',
        join(bin.kubeDir, 'kube-scheduler'),
        [
          `--kubeconfig=${api.kubeconfigPath}`,
          `--authentication-kubeconfig=${api.kubeconfigPath}`,
          `--authorization-kubeconfig=${api.kubeconfigPath}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${schedPort}`,
          '--leader-elect=false',
          '-v=1',
        ],
        { log: log('kube-scheduler') },
      ),
    );
    await writeFile(join(api.dir, 'kwok.yaml'), KWOK_STAGES);
    daemons.push(
      startDaemon(
        'kwok',
        bin.kwok,
        [
          `--kubeconfig=${api.kubeconfigPath}`,
          `--config=${join(api.dir, 'kwok.yaml')}`,
          '--manage-all-nodes=false',
          '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
          '--node-lease-duration-seconds=40',
          `--server-address=127.0.0.1:${kwokPort}`,
          '--cidr=10.244.0.1/16',
          '--node-ip=10.1.0.1',
        ],
        { log: log('kwok'), env: { ...process.env, HOME: api.dir } },
      ),
    );
    for (const name of NODES) {
      const node = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake' },
          labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok' },
        },
        spec: {},
      };
      const created = await api.kubectl(['apply', '-f', '-'], JSON.stringify(node));
      if (created.code !== 0) throw new Error(`creating node ${name}: ${created.stderr}`);
    }
    const core = api.kubeConfig.makeApiClient(CoreV1Api);
    await until('kwok nodes Ready', 60_000, async () => {
      for (const d of daemons) if (d.child.exitCode !== null) throw new Error(`${d.name} exited:\n${d.tail()}`);
      const nodes = await core.listNode();
      return (
        nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === NODES.length
      );
    });
    await until('the default ServiceAccount', 60_000, async () =>
      (await core.listNamespacedServiceAccount({ namespace: 'default' })).items.some((s) => s.metadata?.name === 'default'),
    );
    const heldClaims = new Set<string>();
    void provisionVolumes(core, heldClaims, () => stopped);
    return { api, auditLog, daemons, heldClaims, stop: stopAll };
  } catch (error) {
    const logs = daemons.map((d) => `--- ${d.name}\n${d.tail(15)}`).join('\n');
    await stopAll();
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
}

/** A PersistentVolume bound to each pending claim, as a provisioner would create. */
async function provisionVolumes(core: CoreV1Api, held: Set<string>, stopped: () => boolean): Promise<void> {
  const made = new Set<string>();
  while (!stopped()) {
    try {
      const claims = await core.listPersistentVolumeClaimForAllNamespaces();
      for (const claim of claims.items.filter((c: V1PersistentVolumeClaim) => c.status?.phase === 'Pending' && !c.spec?.volumeName)) {
        const name = `pv-${claim.metadata!.uid}`;
        if (made.has(name) || held.has(`${claim.metadata!.namespace}/${claim.metadata!.name}`)) continue;
        made.add(name);
        await core
          .createPersistentVolume({
            body: {
              metadata: { name },
              spec: {
                capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
                accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
                persistentVolumeReclaimPolicy: 'Retain',
                storageClassName: claim.spec?.storageClassName ?? '',
                hostPath: { path: `/tmp/${name}` },
                claimRef: { namespace: claim.metadata!.namespace, name: claim.metadata!.name, uid: claim.metadata!.uid },
              },
            },
          })
          .catch(() => made.delete(name));
      }
    } catch {
      // the apiserver is going away
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
