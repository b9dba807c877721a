// Samples pods a few times a second to tell how a rollout went: which pods were replaced (a new
// uid), in what order, and how many were unavailable (missing or not Ready) at the same moment.
import type { System } from './system.js';

interface Sample {
  at: number;
  pods: Map<string, { uid: string; ready: boolean; image: string }>;
}

export class PodTimeline {
  private static readonly live = new Set<PodTimeline>();
  readonly samples: Sample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    system: System,
    private readonly names: string[],
    namespace = 'default',
  ) {
    PodTimeline.live.add(this);
    this.loop = (async () => {
      while (this.running) {
        const pods = await system
          .core()
          .listNamespacedPod({ namespace })
          .catch(() => undefined);
        if (pods) {
          const map = new Map(
            pods.items
              .filter((p) => !p.metadata?.deletionTimestamp)
              .map((p) => [
                p.metadata!.name!,
                {
                  uid: p.metadata!.uid!,
                  image: p.spec!.containers[0].image!,
                  ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
                },
              ]),
          );
          this.samples.push({ at: Date.now(), pods: map });
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
  }

  async stop(): Promise<this> {
    this.running = false;
    PodTimeline.live.delete(this);
    await this.loop;
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
        } else if (!replaced.has(n) && uid !== first.get(n)) replaced.set(n, s.at);
      }
    }
    return replaced;
  }

  /** Pod names in the order they were replaced. */
  replacementOrder(): string[] {
    return [...this.replacedAt()].sort((a, b) => a[1] - b[1]).map(([n]) => n);
  }
}
