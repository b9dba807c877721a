// The sync hook alone, in this process, on requests parsed beforehand: what rendering costs without
// HTTP and JSON; and the same with the CPU caches emptied before each request, as the HTTP path and
// the other requests in between empty them in the server.
import type { KindHooks } from '../../hooks/core/kind-hooks.js';
import type { HookRequest } from '../../hooks/core/metacontroller.js';

const ROUNDS = 5;

/** Larger than this machine's caches: writing it evicts what the previous request left there. */
const EVICTION = new Float64Array((8 * 1024 * 1024) / 8);
const CACHE_LINE = 64 / 8;

function emptyCaches(): void {
  for (let i = 0; i < EVICTION.length; i += CACHE_LINE) EVICTION[i] += 1;
}

export interface RenderAlone {
  /** Microseconds per sync, one after another. */
  warm: number;
  /** Microseconds per sync, with the caches emptied before each (not counted). */
  cold: number;
}

/** Best of a few rounds of `count` syncs, each of a request parsed from the same text. */
export function renderAlone(hooks: KindHooks<object>, request: HookRequest, count: number): RenderAlone {
  const text = JSON.stringify(request);
  const now = new Date();
  for (let i = 0; i < Math.min(count, 200); i++) hooks.sync(JSON.parse(text) as HookRequest, now);
  const round = (cold: boolean) => {
    const requests = Array.from({ length: count }, () => JSON.parse(text) as HookRequest);
    let spent = 0;
    for (const each of requests) {
      if (cold) emptyCaches();
      const started = performance.now();
      hooks.sync(each, now);
      spent += performance.now() - started;
    }
    return (spent / count) * 1000;
  };
  const best = (cold: boolean) => Math.round(Math.min(...Array.from({ length: ROUNDS }, () => round(cold))) * 10) / 10;
  return { warm: best(false), cold: best(true) };
}
