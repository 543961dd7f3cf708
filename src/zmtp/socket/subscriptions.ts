/** A multiset of subscription prefixes with prefix matching (PUB per peer, SUB locally). */
export class Subscriptions {
  private readonly counts = new Map<string, { prefix: Buffer; n: number }>();

  get size(): number {
    return this.counts.size;
  }

  add(prefix: Uint8Array): void {
    const b = Buffer.from(prefix);
    const k = b.toString("latin1");
    const e = this.counts.get(k);
    if (e) e.n++;
    else this.counts.set(k, { prefix: b, n: 1 });
  }

  /** Returns true when the last subscription to this prefix went away. */
  remove(prefix: Uint8Array): boolean {
    const k = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.length).toString("latin1");
    const e = this.counts.get(k);
    if (!e) return false;
    if (--e.n > 0) return false;
    this.counts.delete(k);
    return true;
  }

  has(prefix: Uint8Array): boolean {
    return this.counts.has(Buffer.from(prefix.buffer, prefix.byteOffset, prefix.length).toString("latin1"));
  }

  prefixes(): Buffer[] {
    return [...this.counts.values()].map((e) => e.prefix);
  }

  matches(topic: Uint8Array): boolean {
    for (const { prefix } of this.counts.values()) {
      const n = prefix.length;
      if (n > topic.length) continue;
      let i = 0;
      while (i < n && prefix[i] === topic[i]) i++;
      if (i === n) return true;
    }
    return false;
  }
}
