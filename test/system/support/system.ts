// Everything a user's cluster has, started for one test file: the control plane with kwok nodes,
// the hook service of this build, the CRDs and CompositeControllers, Metacontroller, and the job
// kubelet that runs runner Jobs for real.
import { CoreV1Api, CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiServer, CommandResult } from '../../support/apiserver.js';
import { childWrites, describeWrites, writesSince, type Write } from './audit.js';
import { ensureSystemBinaries, repoRoot } from './binaries.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { HookService } from './hook-service.js';
import { JobKubelet } from './job-kubelet.js';
import { installOperator, kubectlOk, startMetacontroller } from './metacontroller.js';
import { recordFigure } from './figures.js';
import { PodTimeline } from './pod-timeline.js';
import type { Daemon } from './processes.js';
import { sleep, until } from './processes.js';

/** A first run builds the control plane, kwok and Metacontroller from source: many minutes on 2 cores. */
export const START_TIMEOUT_MS = 40 * 60_000;

export const KINDS = {
  NameService: 'nameservices',
  Broker: 'brokers',
  Console: 'consoles',
  TopicTransfer: 'topictransfers',
  Proxy: 'proxies',
  Controller: 'controllers',
} as const;
export type Kind = keyof typeof KINDS;

export interface Parent extends KubernetesObject {
  spec: Record<string, unknown>;
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    [key: string]: unknown;
  };
}

export class System {
  private constructor(
    readonly plane: ControlPlane,
    readonly hooks: HookService,
    readonly metacontroller: Daemon,
    readonly kubelet: JobKubelet,
  ) {}

  static async start(): Promise<System> {
    const bin = await ensureSystemBinaries();
    const plane = await startControlPlane(bin);
    try {
      const hooks = await HookService.start(plane.api.dir);
      await installOperator(plane.api, hooks.url);
      const metacontroller = await startMetacontroller(plane.api, bin.metacontroller);
      const kubelet = new JobKubelet(plane.api, new Map());
      kubelet.start();
      return new System(plane, hooks, metacontroller, kubelet);
    } catch (error) {
      await plane.stop();
      throw error;
    }
  }

  get api(): ApiServer {
    return this.plane.api;
  }

  async stop(): Promise<void> {
    await this.kubelet.stop();
    await this.metacontroller.stop();
    await this.hooks.stop();
    await this.plane.stop();
  }

  kubectl(args: string[], stdin?: string): Promise<CommandResult> {
    return this.api.kubectl(args, stdin);
  }

  kubectlOk(args: string[], stdin?: string): Promise<string> {
    return kubectlOk(this.api, args, stdin);
  }

  /** An example file as a user has it, optionally moved to another namespace. */
  example(file: string, namespace?: string): string {
    const text = readFileSync(join(repoRoot, 'example', file), 'utf8');
    return namespace ? text.replace(/namespace: default/g, `namespace: ${namespace}`) : text;
  }

  async apply(yaml: string): Promise<void> {
    await this.kubectlOk(['apply', '-f', '-'], yaml);
  }

  async parent(kind: Kind, name: string, namespace = 'default'): Promise<Parent | undefined> {
    const api = this.api.kubeConfig.makeApiClient(CustomObjectsApi);
    try {
      return (await api.getNamespacedCustomObject({
        group: 'rocketmq.apache.org',
        version: 'v1alpha1',
        namespace,
        plural: KINDS[kind],
        name,
      })) as Parent;
    } catch {
      return undefined;
    }
  }

  async condition(kind: Kind, name: string, type: string, namespace = 'default') {
    return (await this.parent(kind, name, namespace))?.status?.conditions?.find((c) => c.type === type);
  }

  /** Objects of `resource` (kubectl's name) in a namespace, as JSON. */
  async list<T = KubernetesObject & { spec?: any; status?: any }>(
    resource: string,
    namespace = 'default',
    selector?: string,
  ): Promise<T[]> {
    const out = await this.kubectlOk(['get', resource, '-n', namespace, '-o', 'json', ...(selector ? ['-l', selector] : [])]);
    return JSON.parse(out).items as T[];
  }

  core(): CoreV1Api {
    return this.api.kubeConfig.makeApiClient(CoreV1Api);
  }

  /** The children the hooks render for a stream of resources (`rocketmq-operator render`), as "Kind/name". */
  rendered(yaml: string): string[] {
    return renderedChildren(yaml);
  }

  writesSince(since: number): Write[] {
    return writesSince(this.plane.auditLog, since);
  }

  /**
   * Waits until Metacontroller has written nothing for `quietMs`, then counts its writes to children
   * over `windowMs`; returns them (the steady state should have none).
   */
  async steadyStateChildWrites(
    windowMs = 20_000,
    quietMs = 5_000,
    timeoutMs = 120_000,
  ): Promise<{ writes: Write[]; from: number; syncs: Record<string, number> }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const recent = this.writesSince(Date.now() - quietMs);
      if (recent.length === 0) break;
      if (Date.now() > deadline) break; // measure anyway: the window then shows what keeps being written
      await sleep(1000);
    }
    const from = Date.now();
    const before = await this.hooks.counts();
    await sleep(windowMs);
    const after = await this.hooks.counts();
    const syncs: Record<string, number> = {};
    for (const [key, value] of Object.entries(after)) {
      const [kind, hook] = key.split(' ');
      if (hook === 'sync') syncs[kind] = (syncs[kind] ?? 0) + value - (before[key] ?? 0);
    }
    return { writes: childWrites(this.writesSince(from)), from, syncs };
  }

  describe(writes: Write[]): string {
    return describeWrites(writes);
  }

  async waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
    return until(what, timeoutMs, probe, 500);
  }
}

export function renderedChildren(yaml: string): string[] {
  const out = execFileSync(process.execPath, [join(repoRoot, 'dist/hooks/cli.js'), 'render', '-f', '-', '-o', 'json'], {
    input: yaml,
    encoding: 'utf8',
  });
  const list = JSON.parse(out) as { items: KubernetesObject[] };
  return list.items.map((o) => `${o.kind}/${o.metadata!.name}`).sort();
}

/**
 * Starts a System before the file's tests and stops it after them. The hook requests of the whole
 * file are recorded as a figure; a 5xx answer (a hook that broke, not a refused spec) fails the file.
 */
export function systemPerFile(label: string): () => System {
  let system: System | undefined;
  beforeAll(async () => {
    system = await System.start();
  }, START_TIMEOUT_MS);
  afterEach(() => PodTimeline.stopAll());
  afterAll(async () => {
    const counts = await system?.hooks.counts();
    await system?.stop();
    if (!counts) return;
    const notOk = Object.fromEntries(Object.entries(counts).filter(([key]) => !key.endsWith(' ok')));
    recordFigure(`hook requests not answered 200 (${label})`, notOk);
    const errors = Object.entries(notOk).filter(([key]) => key.endsWith(' error'));
    if (errors.length > 0) throw new Error(`the hook service answered 5xx: ${JSON.stringify(Object.fromEntries(errors))}`);
  }, 120_000);
  return () => system!;
}
