/** Reads scheduler outputs kept in test/fixtures/schedulers/<scheduler>/ (see its README for provenance). */
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dir, "../../fixtures/schedulers");

export function fixture(scheduler: string, name: string): string {
  return fs.readFileSync(path.join(ROOT, scheduler, name), "utf8");
}

/** `key=value` lines (ids.txt). */
export function fixtureIds(scheduler: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fixture(scheduler, "ids.txt").split("\n")) {
    const [k, v] = line.split("=");
    if (k && v) out[k.trim()] = v.trim();
  }
  return out;
}
