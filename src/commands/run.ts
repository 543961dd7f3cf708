/**
 * `fx run [-c config] FILE`: run every line of FILE as a task (a shell command, or with `--fn MODULE:EXPORT`
 * a JSON array of arguments) on a local endpoint (or `--endpoint`), results as JSON lines.
 */
import fs from "node:fs";
import type { Command } from "commander";
import type { ConfigProblem } from "../config/errors.ts";
import type { ClientUrls, FnSpec, RunOptions } from "../config/roles.ts";
import type { CliContext } from "./context.ts";
import { addConfigOptions, loadRoleConfig, logOptions, numberFlag, runEntry, urlProblem, type Flags } from "./shared.ts";

/** "MODULE:EXPORT" (EXPORT defaults to "default"). */
export function parseFnSpec(v: string): FnSpec | string {
  const at = v.lastIndexOf(":");
  const module = at > 0 ? v.slice(0, at) : v;
  const exportName = at > 0 ? v.slice(at + 1) : "default";
  if (module.trim() === "") return `expected MODULE:EXPORT, got ${JSON.stringify(v)}`;
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(exportName)) return `export name ${JSON.stringify(exportName)} is not an identifier`;
  return { module, exportName };
}

function urlsFrom(v: unknown): ClientUrls | string {
  const o = v as Partial<Record<keyof ClientUrls, unknown>> | null;
  if (!o || typeof o !== "object") return "expected an object with tasks, results and commands URLs";
  for (const k of ["tasks", "results", "commands"] as const) {
    if (typeof o[k] !== "string") return `missing "${k}" URL`;
    const why = urlProblem(o[k] as string);
    if (why) return `${k}: ${why}`;
  }
  return { tasks: o.tasks as string, results: o.results as string, commands: o.commands as string };
}

/** `tcp://host:TASKS,RESULTS,COMMANDS` or the JSON info file `fx executor --info-file` wrote. */
export function parseEndpoint(v: string, readFile: (p: string) => string = (p) => fs.readFileSync(p, "utf8")): ClientUrls | string {
  const m = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^:/\s]+):(\d+),(\d+),(\d+)$/.exec(v);
  if (m) return urlsFrom({ tasks: `tcp://${m[1]}:${m[2]}`, results: `tcp://${m[1]}:${m[3]}`, commands: `tcp://${m[1]}:${m[4]}` });
  if (v.startsWith("tcp://")) return `expected tcp://host:TASKS,RESULTS,COMMANDS, got ${JSON.stringify(v)}`;
  let text: string;
  try {
    text = readFile(v);
  } catch (err) {
    return `cannot read endpoint file ${JSON.stringify(v)}: ${(err as Error).message}`;
  }
  try {
    return urlsFrom(JSON.parse(text));
  } catch {
    return `endpoint file ${JSON.stringify(v)} is not JSON`;
  }
}

export function runOptions(ctx: CliContext, file: string, flags: Flags): RunOptions {
  const problems: ConfigProblem[] = [];
  const problem = (flag: string, message: string) => problems.push({ path: "", source: `flag --${flag}`, message });
  let endpoint: ClientUrls | null = null;
  if (flags.endpoint !== undefined) {
    const r = parseEndpoint(String(flags.endpoint));
    if (typeof r === "string") problem("endpoint", r);
    else endpoint = r;
  }
  let fn: FnSpec | null = null;
  if (flags.fn !== undefined) {
    const r = parseFnSpec(String(flags.fn));
    if (typeof r === "string") problem("fn", r);
    else fn = r;
  }
  const container = (flags.container as string | undefined) ?? null;
  if (container !== null && container.trim() === "") problem("container", "must name an image");
  const timeout = numberFlag(flags, "timeout", "timeout", problems, (n) => (n > 0 && Number.isFinite(n) ? null : `must be a positive number of seconds, got ${n}`));
  const { config, configSource } = loadRoleConfig(ctx, flags, [], problems);
  return {
    ...logOptions(flags, config),
    config,
    configSource,
    file,
    endpoint,
    out: (flags.out as string | undefined) ?? null,
    container,
    fn,
    progress: (flags.progress as boolean | undefined) ?? ctx.stderrIsTTY,
    timeout,
  };
}

export function registerRun(program: Command, ctx: CliContext): void {
  const cmd = program
    .command("run")
    .description("run every line of FILE as a task on a local endpoint (or --endpoint); results as JSON lines")
    .argument("<file>", "shell commands, one per line (with --fn: JSON arrays of arguments); - = stdin")
    .option("--endpoint <url|file>", "use a running endpoint: tcp://host:TASKS,RESULTS,COMMANDS or fx executor's --info-file")
    .option("--out <path>", "write results here (default: stdout)")
    .option("--container <image>", "run every task in this container image")
    .option("--fn <module:export>", "call this exported function once per line of FILE (a JSON array of arguments)")
    .option("--progress", "show a progress line on stderr (default when stderr is a terminal)")
    .option("--no-progress", "no progress line")
    .option("--timeout <seconds>", "a task not done this long after submission fails");
  addConfigOptions(cmd).action(async (file: string, flags: Flags) => runEntry(ctx, ctx.entries.run, runOptions(ctx, file, flags)));
}
