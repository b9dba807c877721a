export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/**
 * Stamps each condition with the time its status last changed: the observed time is kept while the
 * status stays the same, so a sync that changes nothing writes the same status (no hot loop).
 */
export function withTransitionTimes(conditions: Condition[], observed: unknown, now: Date): Condition[] {
  const previous = Array.isArray(observed) ? (observed as Condition[]) : [];
  return conditions.map((condition) => {
    const before = previous.find((p) => p.type === condition.type);
    const unchanged = before && before.status === condition.status && before.lastTransitionTime;
    return { ...condition, lastTransitionTime: unchanged ? before.lastTransitionTime : toRfc3339Seconds(now) };
  });
}

/** Kubernetes timestamps have whole seconds. */
function toRfc3339Seconds(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}
