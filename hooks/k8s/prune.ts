/**
 * Drops undefined and null values and empty arrays, which the API server does not store: an
 * object rendered with them would differ from the observed one on every sync.
 */
export function prune<T>(value: T): T {
  if (Array.isArray(value)) return value.map(prune) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    out[key] = typeof v === 'object' ? prune(v) : v;
  }
  return out as T;
}
