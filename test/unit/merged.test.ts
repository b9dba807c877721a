import { describe, expect, it } from '@jest/globals';
import { merged } from '../../hooks/core/merged.js';

describe('merged', () => {
  it('gives what an object literal of the same spreads gives, key order included', () => {
    const shared = { name: 'broker', env: ['per member'], image: 'apache/rocketmq:5.3.3' };
    const own = { env: [{ name: 'A', value: '1' }], volumeMounts: [] };
    const result = merged(shared, own, { extra: true });
    const literal = { ...shared, ...own, extra: true };
    expect(result).toEqual(literal);
    expect(Object.keys(result)).toEqual(Object.keys(literal));
    expect(JSON.stringify(result)).toBe(JSON.stringify(literal));
  });

  it('skips parts that are undefined, as spreading undefined adds nothing', () => {
    expect(merged({ a: 1 }, undefined, { b: 2 }, undefined)).toEqual({ a: 1, b: 2 });
  });

  it('changes none of its parts', () => {
    const first = { a: 1 };
    const second = { b: 2 };
    merged(first, second);
    expect(first).toEqual({ a: 1 });
    expect(second).toEqual({ b: 2 });
  });

  it('never takes a __proto__ key as the prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "kept": 1}') as object;
    const result = merged({ a: 1 }, hostile) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(result.polluted).toBeUndefined();
    expect(result).toEqual({ a: 1, kept: 1 });
  });
});
