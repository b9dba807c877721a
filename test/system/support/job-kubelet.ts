// The kubelet of runner Job pods. kwok leaves pods owned by Jobs alone (see kwok-stages.ts); this
// runs each one's container for real, as its pod spec says: the rendered command, args and env,
// unchanged (`node dist/hooks/runner/main.js ...` from the repository root, the image's working
// directory). A pod that mounts its ServiceAccount token gets one from the TokenRequest API, bound
// to the pod, so the API server applies the RBAC the hooks render. The runner reads its kube client
// configuration with loadFromDefault(): the in-cluster files sit at fixed paths under
// /var/run/secrets, so it gets the same server, CA and token through KUBECONFIG instead. Name
// servers are real ones on loopback, reached through the svc-dns.ts preload; so are broker pods'
// DNS names, where a test gives a namespace a stand-in broker. Status goes to the API
// server as a kubelet reports it: Running with the process start, then Succeeded or Failed with
// the container's exit code, so the real Job controller decides the Job's outcome.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import type { ApiServer } from '../../support/apiserver.js';
import { repoRoot } from './binaries.js';

const JOB_LABEL = 'batch.kubernetes.io/job-name';
const PRELOAD = join(repoRoot, 'dist/test/system/support/svc-dns.js');
/** Where a name server of a blocked namespace "is": nothing listens on port 1. */
const UNREACHABLE = '127.0.0.1:1';

export interface RunnerExit {
  pod: string;
  namespace: string;
  job: string;
  /** The container's arguments, as the Job rendered them. */
  args: string[];
  code: number;
  output: string;
}

export class JobKubelet {
  readonly exits: RunnerExit[] = [];
  /** Namespaces whose name servers the runners cannot reach (connection refused). */
  readonly unreachable = new Set<string>();
  private readonly core: CoreV1Api;
  private readonly running = new Map<string, ChildProcess>();
  private readonly seen = new Set<string>();
  private readonly home = mkdtempSync(join(tmpdir(), 'rocketmq-job-kubelet-'));
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly api: ApiServer,
    /** namespace → the loopback name server that stands for its NameService */
    readonly nameServers: Map<string, string>,
    /** namespace → the loopback broker that stands for every broker pod there */
    readonly brokers = new Map<string, string>(),
  ) {
    this.core = api.kubeConfig.makeApiClient(CoreV1Api);
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.tick().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    for (const child of this.running.values()) child.kill('SIGKILL');
    rmSync(this.home, { recursive: true, force: true });
  }

  private async tick(): Promise<void> {
    const pods = await this.core.listPodForAllNamespaces({ labelSelector: JOB_LABEL });
    for (const pod of pods.items) {
      const uid = pod.metadata!.uid!;
      if (pod.metadata?.deletionTimestamp) {
        this.running.get(uid)?.kill('SIGKILL');
        await this.core
          .deleteNamespacedPod({ name: pod.metadata.name!, namespace: pod.metadata.namespace!, gracePeriodSeconds: 0 })
          .catch(() => undefined);
        continue;
      }
      if (!pod.spec?.nodeName || this.seen.has(uid) || pod.status?.phase !== 'Pending') continue;
      this.seen.add(uid);
      await this.run(pod);
    }
  }

  private async status(pod: V1Pod, status: Record<string, unknown>): Promise<void> {
    await this.core.patchNamespacedPodStatus(
      { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  private async kubeconfigFor(pod: V1Pod, dir: string): Promise<string | undefined> {
    if (pod.spec!.automountServiceAccountToken === false) return undefined;
    const account = pod.spec!.serviceAccountName ?? 'default';
    const issued = await this.core.createNamespacedServiceAccountToken({
      name: account,
      namespace: pod.metadata!.namespace!,
      body: {
        spec: {
          audiences: [],
          expirationSeconds: 3600,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid! },
        },
      },
    });
    const admin = JSON.parse(readFileSync(this.api.kubeconfigPath, 'utf8'));
    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'in-cluster', cluster: admin.clusters[0].cluster }],
        users: [{ name: account, user: { token: issued.status!.token } }],
        contexts: [{ name: 'in-cluster', context: { cluster: 'in-cluster', user: account, namespace: pod.metadata!.namespace } }],
        'current-context': 'in-cluster',
      }),
    );
    return file;
  }

  private containerEnv(pod: V1Pod): Record<string, string> {
    const fields: Record<string, string | undefined> = {
      'metadata.name': pod.metadata!.name,
      'metadata.namespace': pod.metadata!.namespace,
      'spec.nodeName': pod.spec!.nodeName,
      'spec.serviceAccountName': pod.spec!.serviceAccountName,
    };
    const env: Record<string, string> = {};
    for (const e of pod.spec!.containers[0].env ?? []) {
      const value = e.value ?? (e.valueFrom?.fieldRef ? fields[e.valueFrom.fieldRef.fieldPath] : undefined);
      if (value !== undefined) env[e.name] = value;
    }
    return env;
  }

  private async run(pod: V1Pod): Promise<void> {
    const { name, namespace } = pod.metadata as { name: string; namespace: string };
    const container = pod.spec!.containers[0];
    const dir = mkdtempSync(join(this.home, `${name}-`));
    const kubeconfig = await this.kubeconfigFor(pod, dir);
    const [command, ...commandArgs] = container.command ?? [];
    const nameServers = Object.fromEntries(
      [...this.nameServers].map(([ns, address]) => [ns, this.unreachable.has(ns) ? UNREACHABLE : address]),
    );
    const startedAt = new Date().toISOString();
    const child = spawn(command === 'node' ? process.execPath : command, [...commandArgs, ...(container.args ?? [])], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        ...this.containerEnv(pod),
        ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
        NODE_OPTIONS: `--import=${PRELOAD}`,
        SYSTEM_TEST_NAMESERVERS: JSON.stringify(nameServers),
        SYSTEM_TEST_BROKERS: JSON.stringify(Object.fromEntries(this.brokers)),
        SYSTEM_TEST_JOB_NAMESPACE: namespace,
      },
    });
    this.running.set(pod.metadata!.uid!, child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    await this.status(pod, {
      phase: 'Running',
      startTime: startedAt,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: startedAt }],
      containerStatuses: [
        {
          name: container.name,
          image: container.image,
          ready: true,
          started: true,
          restartCount: 0,
          imageID: '',
          state: { running: { startedAt } },
        },
      ],
    }).catch(() => undefined);
    child.once('close', (code, signal) => {
      this.running.delete(pod.metadata!.uid!);
      const exitCode = code ?? (signal ? 137 : 1);
      this.exits.push({ pod: name, namespace, job: pod.metadata!.labels![JOB_LABEL], args: container.args ?? [], code: exitCode, output });
      const finishedAt = new Date().toISOString();
      void this.status(pod, {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: finishedAt, reason: 'PodCompleted' }],
        containerStatuses: [
          {
            name: container.name,
            image: container.image,
            imageID: '',
            ready: false,
            started: false,
            restartCount: 0,
            state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt } },
          },
        ],
      }).catch(() => undefined);
    });
  }
}
