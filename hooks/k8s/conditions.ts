import { merged } from '../core/merged.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A status condition; `Reason` narrows the reasons to a kind's catalogue. */
export interface Condition<R extends string = string> {
  type: string;
  status: ConditionStatus;
  reason: R;
  message: string;
  lastTransitionTime?: string;
}

/**
 * Stamps each condition with the time its status last changed: the observed time is kept while the
 * status stays the same, so a sync that changes nothing writes the same status (no hot loop).
 */
export function withTransitionTimes<R extends string>(conditions: Condition<R>[], observed: unknown, now: Date): Condition<R>[] {
  const previous = Array.isArray(observed) ? (observed as Condition[]) : [];
  const stamp = toRfc3339Seconds(now);
  return conditions.map((condition) => {
    const before = previous.find((p) => p.type === condition.type);
    const unchanged = before && before.status === condition.status && typeof before.lastTransitionTime === 'string';
    return merged(condition, { lastTransitionTime: unchanged ? before.lastTransitionTime : stamp });
  });
}

/** The last stamp written, by its second: every condition of a sync, and most syncs of a second, share one. */
const lastStamp = { second: Number.NaN, text: '' };

/** Kubernetes timestamps have whole seconds. */
function toRfc3339Seconds(time: Date): string {
  const second = Math.floor(time.getTime() / 1000);
  if (second !== lastStamp.second) {
    lastStamp.text = `${time.toISOString().slice(0, 19)}Z`;
    lastStamp.second = second;
  }
  return lastStamp.text;
}
