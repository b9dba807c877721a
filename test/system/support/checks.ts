// Assertions every scenario ends with: nothing the spec still needs was deleted, and once the
// cluster settles Metacontroller writes no child at all.
import type { System } from './system.js';

/** Kinds of children that only go away when the spec stops asking for them (Jobs of past attempts may). */
const KEPT = new Set(['statefulsets', 'services', 'configmaps', 'deployments', 'poddisruptionbudgets', 'persistentvolumeclaims']);

export function expectNothingDeletedSince(system: System, since: number, namespace?: string): void {
  const deletes = system.writesSince(since).filter((w) => w.verb === 'delete' && KEPT.has(w.resource) && (!namespace || w.namespace === namespace));
  expect(system.describe(deletes)).toBe('');
}

export async function expectSteadyState(system: System, windowMs = 20_000): Promise<void> {
  const { writes } = await system.steadyStateChildWrites(windowMs);
  expect(system.describe(writes)).toBe('');
}
