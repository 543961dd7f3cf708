/** "did you mean …?" for unknown keys: the closest known name by edit distance, if close enough. */

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidate nearest to `name` (case-insensitive, '-' ≡ '_'), or null if none is within ~1/3 of its length. */
export function closest(name: string, candidates: Iterable<string>): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/-/g, "_");
  const n = norm(name);
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(n, norm(c));
    if (d < bestD) { best = c; bestD = d; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(n.length / 3)) ? best : null;
}
