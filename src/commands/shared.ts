/**
 * Helpers every role command shares: the config options (-c, --set, --logdir, --debug), turning flags into
 * config overrides, and collecting flag problems so that they are reported together with config problems.
 */
import type { Command } from "commander";
import { loadConfig, type ConfigOverride, EMBEDDED_ORIGIN } from "../config/load.ts";
import { ConfigError, formatProblem, type ConfigProblem } from "../config/errors.ts";
import type { FxConfig } from "../config/schema.ts";
import type { RoleLogOptions } from "../config/roles.ts";
import { UsageError } from "../util/errors.ts";
import type { CliContext } from "./context.ts";

export type Flags = Record<string, unknown>;

/** Repeatable option collector. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `-c/--config`, `--set`, `--logdir`, `--debug`: on every command that runs a role. */
export function addConfigOptions(cmd: Command): Command {
  return cmd
    .option("-c, --config <path>", "TOML config file (default: the embedded configs/local.toml)")
    .option("--set <key=value>", "override one config key, e.g. --set executor.max_workers=4 (repeatable)", collect)
    .option("--logdir <dir>", "directory for this role's log file (\"\" = stderr only)")
    .option("--debug", "debug logging");
}

/** Maps flags that are config keys (flag name → dotted key) to overrides. */
export function flagOverrides(flags: Flags, map: Readonly<Record<string, string>>): ConfigOverride[] {
  const out: ConfigOverride[] = [];
  for (const [flag, key] of Object.entries(map)) {
    const camel = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = flags[camel];
    if (v !== undefined) out.push({ path: key, value: Array.isArray(v) ? v.join(",") : String(v), text: true, source: `flag --${flag}` });
  }
  return out;
}

function setOverrides(flags: Flags, problems: ConfigProblem[]): ConfigOverride[] {
  const out: ConfigOverride[] = [];
  for (const s of (flags.set as string[] | undefined) ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) problems.push({ path: "", source: `flag --set ${s}`, message: 'expected "section.key=value"' });
    else out.push({ path: s.slice(0, eq).trim(), value: s.slice(eq + 1), text: true, source: `flag --set ${s}` });
  }
  return out;
}

export interface LoadedConfig {
  readonly config: FxConfig;
  readonly configSource: string;
}

/**
 * Loads the config (file, stdin text or embedded) with env and flag overrides. Flag problems found by the
 * command (`flagProblems`) are reported in the same error as config problems.
 */
export function loadRoleConfig(
  ctx: CliContext, flags: Flags, overrides: readonly ConfigOverride[], flagProblems: ConfigProblem[], text?: { text: string; origin: string },
): LoadedConfig {
  const all = [...setOverrides(flags, flagProblems), ...overrides];
  const path = flags.config as string | undefined;
  const source = text ? { text: text.text, origin: text.origin } : path !== undefined ? { path } : {};
  let config: FxConfig;
  try {
    config = loadConfig({ ...source, env: ctx.env, overrides: all });
  } catch (err) {
    if (err instanceof ConfigError && flagProblems.length > 0) {
      throw new ConfigError(err.code, err.origin, [...err.problems, ...flagProblems], { cause: err });
    }
    throw err;
  }
  throwFlagProblems(flagProblems);
  return { config, configSource: text?.origin ?? path ?? EMBEDDED_ORIGIN };
}

export function throwFlagProblems(problems: readonly ConfigProblem[]): void {
  if (problems.length === 0) return;
  throw new UsageError(`${problems.length} problem${problems.length === 1 ? "" : "s"} with the flags:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
}

export function logOptions(flags: Flags, config: FxConfig): RoleLogOptions {
  const debug = Boolean(flags.debug);
  const dir = (flags.logdir as string | undefined) ?? config.logging.logdir;
  return { logdir: dir === "" ? null : dir, logLevel: debug ? "debug" : config.logging.level, debug };
}

/** `tcp://host:port` or `ipc://path`; null when fine, else why not. */
export function urlProblem(url: string): string | null {
  if (url.startsWith("ipc://")) return url.length > 6 ? null : "ipc:// needs a path";
  const m = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^:/\s]+):(\d+)$/.exec(url);
  if (!m) return `expected tcp://host:port or ipc://path, got ${JSON.stringify(url)}`;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? null : `port must be within 1..65535, got ${m[2]}`;
}

/** Checks a required URL flag, recording a problem when missing or malformed. */
export function requireUrl(flags: Flags, name: string, key: string, problems: ConfigProblem[]): string {
  const v = flags[key] as string | undefined;
  if (v === undefined || v === "") {
    problems.push({ path: "", source: `flag --${name}`, message: "is required" });
    return "";
  }
  const why = urlProblem(v);
  if (why) problems.push({ path: "", source: `flag --${name}`, message: why });
  return v;
}

/** An optional number flag that is not a config key. */
export function numberFlag(flags: Flags, name: string, key: string, problems: ConfigProblem[], check: (n: number) => string | null): number | null {
  const v = flags[key] as string | undefined;
  if (v === undefined) return null;
  const n = v.trim() === "" ? NaN : Number(v);
  const why = Number.isNaN(n) ? `expected a number, got ${JSON.stringify(v)}` : check(n);
  if (why) {
    problems.push({ path: "", source: `flag --${name}`, message: why });
    return null;
  }
  return n;
}

export function splitList(v: unknown): string[] {
  if (v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.flatMap((x) => String(x).split(",")).map((x) => x.trim()).filter((x) => x !== "");
}

/** Runs a role entry and records its exit code. */
export async function runEntry<T>(ctx: CliContext, entry: (opts: T) => Promise<number>, opts: T): Promise<void> {
  ctx.setExitCode(await entry(opts));
}
