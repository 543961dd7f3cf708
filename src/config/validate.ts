/**
 * Checks that span several keys, run on the assembled config once every single value is valid.
 * Each problem names the key to change and, where that key was set, its line or source.
 */
import type { FxConfig } from "./schema.ts";
import { FIELDS, fieldPath } from "./fields.ts";
import type { ConfigProblem } from "./errors.ts";
import { checkImageAllowed } from "../containers/allow-list.ts";
import { launchCmdProblems } from "../launchers/launch-cmd.ts";

/** A value set by the file, an env var, a flag or an object, with where it came from. */
export interface SetValue {
  readonly value: unknown;
  readonly line?: number;
  readonly source?: string;
}

function at(set: ReadonlyMap<string, SetValue>, path: string, message: string): ConfigProblem {
  const s = set.get(path);
  return {
    path,
    message,
    ...(s?.line !== undefined ? { line: s.line } : {}),
    ...(s?.source !== undefined ? { source: s.source } : {}),
  };
}

/** The key of a pair that was set explicitly (so the message points at what the user wrote). */
function blame(set: ReadonlyMap<string, SetValue>, a: string, b: string): string {
  return set.has(a) || !set.has(b) ? a : b;
}

export function crossCheck(c: FxConfig, set: ReadonlyMap<string, SetValue>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const p = c.provider;
  const e = c.executor;
  if (p.min_blocks > p.max_blocks) {
    const k = blame(set, "provider.min_blocks", "provider.max_blocks");
    out.push(at(set, k, `min_blocks (${p.min_blocks}) must not exceed max_blocks (${p.max_blocks})`));
  } else if (p.init_blocks < p.min_blocks || p.init_blocks > p.max_blocks) {
    out.push(at(set, "provider.init_blocks", `init_blocks (${p.init_blocks}) must lie within [min_blocks, max_blocks] = [${p.min_blocks}, ${p.max_blocks}]`));
  }
  if (e.heartbeat_threshold <= e.heartbeat_period) {
    const k = blame(set, "executor.heartbeat_threshold", "executor.heartbeat_period");
    out.push(at(set, k, `heartbeat_threshold (${e.heartbeat_threshold}) must be greater than heartbeat_period (${e.heartbeat_period})`));
  }
  for (const f of FIELDS) {
    if (!f.providers || f.providers.includes(p.type)) continue;
    const path = fieldPath(f);
    if (set.has(path)) out.push(at(set, path, `is not used by provider type "${p.type}" (only ${f.providers.join(", ")})`));
  }
  if (e.worker_mode !== "no_container" && c.containers.allowed_images.length > 0 && e.container_image !== null
      && checkImageAllowed(e.container_image, c.containers.allowed_images) !== null) {
    out.push(at(set, "executor.container_image", `"${e.container_image}" is not in containers.allowed_images`));
  }
  if (e.launch_cmd !== null) for (const m of launchCmdProblems(e.launch_cmd)) out.push(at(set, "executor.launch_cmd", m));
  return out;
}
