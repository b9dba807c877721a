import { ReplyCache } from '../../hooks/reply-cache.js';
import { buildServer } from '../../hooks/http/server.js';
import { customResource, syncRequest } from '../support/hook-requests.js';

describe('the reply cache', () => {
  it('forgets the least recently used replies once over its size', () => {
    const cache = new ReplyCache(30);
    cache.set('a', '0123456789');
    cache.set('b', '0123456789');
    cache.get('a');
    cache.set('c', '0123456789');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('0123456789');
    expect(cache.get('c')).toBe('0123456789');
  });

  it('keeps nothing larger than itself', () => {
    const cache = new ReplyCache(5);
    cache.set('a', 'too long');
    expect(cache.get('a')).toBeUndefined();
  });

  it('answers a repeated request with the first reply, and a changed one anew', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const app = buildServer({ clock: () => now });
    const first = syncRequest(customResource('NameService', 'ns', { size: 1 }, 'mq'));
    const post = (payload: object) => app.inject({ method: 'POST', url: '/sync/nameservice', payload });
    const before = await post(first);
    now = new Date('2026-01-01T01:00:00Z');
    expect((await post(first)).body).toBe(before.body);
    const changed = await post(syncRequest(customResource('NameService', 'ns', { size: 2 }, 'mq')));
    expect(changed.json().children[1].spec.replicas).toBe(2);
    expect(changed.json().status.conditions[0].lastTransitionTime).toBe('2026-01-01T01:00:00Z');
    await app.close();
  });
});
