/**
 * Where each key sits in a TOML text, so problems can name a line. A line scanner, not a parser: it follows
 * `[table]` headers and `key =` / `a.b =` lines and skips multi-line strings. Inline tables and arrays of
 * tables are located by their first line only. Unlocatable keys simply get no line.
 */

function unquote(part: string): string {
  const t = part.trim();
  return (t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")) ? t.slice(1, -1) : t;
}

function splitKey(k: string): string[] {
  return k.split(".").map(unquote);
}

export function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let table: string[] = [];
  let inMultiline: string | null = null;
  const src = text.split(/\r?\n/);
  for (let i = 0; i < src.length; i++) {
    const line = src[i]!;
    if (inMultiline) {
      if (line.includes(inMultiline)) inMultiline = null;
      continue;
    }
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header) {
      table = splitKey(header[1]!);
      const p = table.join(".");
      if (!lines.has(p)) lines.set(p, i + 1);
      continue;
    }
    const kv = /^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=(.*)$/.exec(line);
    if (!kv) continue;
    const p = [...table, ...splitKey(kv[1]!)].join(".");
    if (!lines.has(p)) lines.set(p, i + 1);
    const rest = kv[2]!;
    for (const q of ['"""', "'''"]) {
      const at = rest.indexOf(q);
      if (at >= 0 && rest.indexOf(q, at + 3) < 0) inMultiline = q;
    }
  }
  return lines;
}

/** The line of `path`, or of its nearest located ancestor (a table header), or undefined. */
export function lineOf(lines: ReadonlyMap<string, number>, path: string): number | undefined {
  for (let p = path; p !== ""; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
    const l = lines.get(p);
    if (l !== undefined) return l;
  }
  return undefined;
}
