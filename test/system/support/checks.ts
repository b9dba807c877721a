// Assertions every scenario ends with: nothing the spec still needs was deleted, and once the
// cluster settles Metacontroller writes no child at all, not even when a sync is forced.
import { childWrites } from './audit.js';
import type { System } from './system.js';

/** Kinds of children that only go away when the spec stops asking for them (Jobs of past attempts may). */
const KEPT = new Set(['statefulsets', 'services', 'configmaps', 'deployments', 'poddisruptionbudgets', 'persistentvolumeclaims']);

export function expectNothingDeletedSince(system: System, since: number, namespace?: string): void {
  const deletes = system
    .writesSince(since)
    .filter((w) => w.verb === 'delete' && KEPT.has(w.resource) && (!namespace || w.namespace === namespace));
  expect(system.describe(deletes)).toBe('');
}

/**
 * No child write over `windowMs` of quiet, then none either after every parent's annotations are
 * touched: that makes Metacontroller sync each parent once, and a sync of an unchanged spec must be
 * a no-op (whether a sync happens to fall into the quiet window is up to resync timers).
 */
export async function expectSteadyState(system: System, windowMs = 20_000): Promise<void> {
  const { writes } = await system.steadyStateChildWrites(windowMs);
  expect(system.describe(writes)).toBe('');
  const touched = Date.now();
  await system.kubectlOk([
    'annotate',
    'nameservices,brokers,consoles,topictransfers,proxies,controllers',
    '--all',
    '-A',
    '--overwrite',
    `steady-check=${touched}`,
  ]);
  await new Promise((r) => setTimeout(r, 10_000));
  expect(system.describe(childWrites(system.writesSince(touched)))).toBe('');
}
