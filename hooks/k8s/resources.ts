import { HookError } from '../core/errors.js';
import { canonicalQuantity, canonicalResources } from './quantity.js';

/** A spec value that is not a quantity is the user's mistake (422), not a failure of the hook. */
function asSpecError<T>(path: string, render: () => T): T {
  try {
    return render();
  } catch (error) {
    throw new HookError(422, `${path}: ${(error as Error).message}`, [`${path}: ${(error as Error).message}`]);
  }
}

/** canonicalResources, answering 422 with the field's path for a value that is not a quantity. */
export function checkedResources<T extends { limits?: Record<string, unknown>; requests?: Record<string, unknown> }>(
  path: string,
  resources: T | undefined,
): T | undefined {
  return asSpecError(path, () => canonicalResources(resources));
}

export function checkedQuantity(path: string, value: string | number): string {
  return asSpecError(path, () => canonicalQuantity(value));
}
