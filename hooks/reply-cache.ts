/**
 * Replies to recent hook requests, by the request text. Metacontroller sends the same
 * request again and again (resyncs, its own status writes, cache flushes); a hook is a pure function
 * of its request, so the same request gets the same reply without rendering it again.
 */
export class ReplyCache {
  private readonly replies = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): string | undefined {
    const reply = this.replies.get(key);
    if (reply !== undefined) {
      // Most recently used last, so eviction takes the oldest.
      this.replies.delete(key);
      this.replies.set(key, reply);
    }
    return reply;
  }

  set(key: string, reply: string): void {
    const size = key.length + reply.length;
    if (size > this.maxBytes || this.replies.has(key)) return;
    this.replies.set(key, reply);
    this.bytes += size;
    for (const [oldKey, oldReply] of this.replies) {
      if (this.bytes <= this.maxBytes) break;
      this.replies.delete(oldKey);
      this.bytes -= oldKey.length + oldReply.length;
    }
  }
}
