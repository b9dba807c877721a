import { createHash } from 'node:crypto';

/**
 * A short digest of an object's JSON. Objects rendered by the same code from the same parent give
 * the same text: the API server serves custom resources with their keys in one stable order.
 */
export function shortHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
