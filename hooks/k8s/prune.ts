/**
 * Drops undefined and null values (in objects and in lists) and empty arrays, which the API server
 * does not store: an object rendered with them would differ from the observed one on every sync.
 * A `__proto__` key is dropped too: it is never data.
 *
 * A plain object or array with nothing to drop is returned as it is, not copied, and a copy keeps
 * the clean parts of its input: most of what the hooks render is clean already. The result may
 * therefore share parts with its input; neither is ever changed.
 */
export function prune<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return (Array.isArray(value) ? pruneArray(value) : pruneObject(value as Record<string, unknown>)) as T;
}

function dropped(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

function pruneArray(array: unknown[]): unknown[] {
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    const gone = item === null || item === undefined;
    if (!gone && typeof item !== 'object') continue;
    const pruned = gone ? undefined : prune(item);
    if (!gone && pruned === item) continue;
    // From the first item that changes on, a copy; the items before it are clean as they are.
    const out = array.slice(0, i);
    if (pruned !== undefined) out.push(pruned);
    for (let j = i + 1; j < array.length; j++) if (array[j] !== null && array[j] !== undefined) out.push(prune(array[j]));
    return out;
  }
  return array;
}

function pruneObject(object: Record<string, unknown>): Record<string, unknown> {
  // Anything but a plain object of this realm is copied key by key, inherited keys included.
  if (Object.getPrototypeOf(object) !== Object.prototype) return copyPruned(object, {});
  for (const key in object) {
    const v = object[key];
    if (key === '__proto__' || dropped(v)) return copyPruned(object, cleanBefore(object, key), key);
    if (typeof v !== 'object') continue;
    const pruned = prune(v);
    if (pruned !== v) {
      const out = cleanBefore(object, key);
      if (!dropped(pruned)) out[key] = pruned;
      return copyPruned(object, out, key, true);
    }
  }
  return object;
}

/** The keys before `stop`, which hold nothing to drop. */
function cleanBefore(object: Record<string, unknown>, stop: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in object) {
    if (key === stop) break;
    out[key] = object[key];
  }
  return out;
}

/** Copies into `out` the keys from `from` on (all of them without it), `from` itself included unless done. */
function copyPruned(
  object: Record<string, unknown>,
  out: Record<string, unknown>,
  from?: string,
  fromDone = false,
): Record<string, unknown> {
  let copying = from === undefined;
  for (const key in object) {
    if (!copying) {
      if (key !== from) continue;
      copying = true;
      if (fromDone) continue;
    }
    const v = object[key];
    if (dropped(v) || key === '__proto__') continue;
    const pruned = typeof v !== 'object' ? v : prune(v);
    if (!dropped(pruned)) out[key] = pruned;
  }
  return out;
}

const pruned = new WeakSet<object>();

/**
 * Records that `value` holds nothing prune would drop, so that a later prune of a larger object can
 * take it as it is (see pruneAround). Only for objects made by the hooks and never changed afterwards.
 */
export function markPruned<T>(value: T): T {
  if (value !== null && typeof value === 'object') pruned.add(value);
  return value;
}

/** Stands for a part already pruned while the object around it is pruned. */
const PLACEHOLDER = Object.freeze({});

/**
 * prune(value) for an object holding `part` under `key`, without looking into `part` again when it is
 * known to be pruned already (markPruned): the result is the same.
 */
export function pruneAround<T extends Record<string, unknown>>(value: T, key: keyof T & string, part: unknown): T {
  const known = part !== null && typeof part === 'object' && pruned.has(part) && !(Array.isArray(part) && part.length === 0);
  if (!known || value[key] !== part) return prune(value);
  const out = prune({ ...value, [key]: PLACEHOLDER }) as Record<string, unknown>;
  // prune returns the fresh object above itself when nothing was dropped, or a fresh copy of it.
  out[key] = part;
  return out as T;
}
