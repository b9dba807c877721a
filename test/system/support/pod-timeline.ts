// Follows pods through a watch to tell how a rollout went: which pods were replaced (a new uid), in
// what order, and how many were unavailable (missing, terminating or not Ready) at the same moment.
// Every event is a sample, so a pod that is down for a few milliseconds is still seen down.
import { type V1Pod, Watch } from '@kubernetes/client-node';
import type { System } from './system.js';

interface PodState {
  uid: string;
  ready: boolean;
}

interface Sample {
  at: number;
  pods: Map<string, PodState>;
}

export class PodTimeline {
  private static readonly live = new Set<PodTimeline>();
  readonly samples: Sample[] = [];
  private readonly current = new Map<string, PodState>();
  private running = true;
  private request?: { abort(): void };
  private resourceVersion = '';

  private constructor(
    private readonly system: System,
    private readonly names: string[],
    private readonly namespace: string,
  ) {}

  /** Lists the pods once, then follows every change from that point on. */
  static async start(system: System, names: string[], namespace = 'default'): Promise<PodTimeline> {
    const timeline = new PodTimeline(system, names, namespace);
    const list = await system.core().listNamespacedPod({ namespace });
    for (const pod of list.items) timeline.record(pod);
    timeline.resourceVersion = list.metadata!.resourceVersion!;
    timeline.sample();
    PodTimeline.live.add(timeline);
    await timeline.follow();
    return timeline;
  }

  private record(pod: V1Pod, deleted = false): void {
    const name = pod.metadata!.name!;
    if (deleted || pod.metadata?.deletionTimestamp) this.current.delete(name);
    else
      this.current.set(name, {
        uid: pod.metadata!.uid!,
        ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      });
  }

  private sample(): void {
    this.samples.push({ at: Date.now(), pods: new Map(this.current) });
  }

  /** Watches from the last resourceVersion seen; a watch the server ends is started again. */
  private async follow(): Promise<void> {
    if (!this.running) return;
    this.request = await new Watch(this.system.api.kubeConfig).watch(
      `/api/v1/namespaces/${this.namespace}/pods`,
      { resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
      (type: string, pod: V1Pod) => {
        if (pod.metadata?.resourceVersion) this.resourceVersion = pod.metadata.resourceVersion;
        if (type === 'BOOKMARK') return;
        this.record(pod, type === 'DELETED');
        this.sample();
      },
      (error: unknown) => void (error ? this.relist() : this.follow()),
    );
  }

  /** After a watch error (say, its resourceVersion expired) the pods are listed again, then followed. */
  private async relist(): Promise<void> {
    if (!this.running) return;
    const list = await this.system
      .core()
      .listNamespacedPod({ namespace: this.namespace })
      .catch(() => undefined);
    if (!list) return void setTimeout(() => void this.relist(), 500);
    this.current.clear();
    for (const pod of list.items) this.record(pod);
    this.resourceVersion = list.metadata!.resourceVersion!;
    this.sample();
    await this.follow();
  }

  async stop(): Promise<this> {
    this.running = false;
    PodTimeline.live.delete(this);
    this.request?.abort();
    return this;
  }

  /** Stops the timelines a failed test left running. */
  static async stopAll(): Promise<void> {
    await Promise.all([...PodTimeline.live].map((t) => t.stop()));
  }

  /** The most pods of `names` unavailable at once. */
  maxUnavailable(): number {
    return Math.max(0, ...this.samples.map((s) => this.names.filter((n) => !s.pods.get(n)?.ready).length));
  }

  /** When each pod first had a uid other than its first one; pods never replaced are left out. */
  replacedAt(): Map<string, number> {
    const first = new Map<string, string>();
    const replaced = new Map<string, number>();
    for (const s of this.samples) {
      for (const n of this.names) {
        const uid = s.pods.get(n)?.uid;
        if (!first.has(n)) {
          if (uid) first.set(n, uid);
        } else if (!replaced.has(n) && uid && uid !== first.get(n)) replaced.set(n, s.at);
      }
    }
    return replaced;
  }

  /** When the pod was first seen Ready, if it was. */
  firstReadyAt(name: string): number | undefined {
    return this.samples.find((s) => s.pods.get(name)?.ready)?.at;
  }

  /** Pod names in the order they were replaced. */
  replacementOrder(): string[] {
    return [...this.replacedAt()].sort((a, b) => a[1] - b[1]).map(([n]) => n);
  }
}
