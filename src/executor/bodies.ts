/** Task bodies the executor sends: a function as source, a module export, a shell command. Pure. */
import path from "node:path";
import { TASK_KINDS, type FnTask, type ModuleTask, type ShellTask } from "../protocol/index.ts";
import { ExecutorError, EXECUTOR_ERROR_CODES } from "./errors.ts";

const hashCache = new Map<string, string>();

/** Bun.hash of the source, hex; remembered per source text so a hot loop hashes once. */
export function sourceHash(source: string): string {
  let h = hashCache.get(source);
  if (h === undefined) {
    h = Bun.hash(source).toString(16);
    if (hashCache.size > 1000) hashCache.clear();
    hashCache.set(source, h);
  }
  return h;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fnBody(fn: (...args: any[]) => unknown, args: readonly unknown[]): FnTask {
  if (typeof fn !== "function") throw new ExecutorError(EXECUTOR_ERROR_CODES.badArgument, `submit() needs a function, got ${typeof fn}`);
  const source = fn.toString();
  if (source.includes("[native code]")) {
    throw new ExecutorError(EXECUTOR_ERROR_CODES.badArgument, `cannot send native function ${fn.name || "(anonymous)"} as source`);
  }
  return { kind: TASK_KINDS.fn, source, hash: sourceHash(source), args };
}

export interface ShellOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Seconds. */
  readonly timeout?: number;
}

export function shellBody(command: string | readonly string[], opts: ShellOptions = {}): ShellTask {
  const base: { kind: "shell"; cwd?: string; env?: Readonly<Record<string, string>>; timeout?: number } = { kind: TASK_KINDS.shell };
  if (opts.cwd !== undefined) base.cwd = opts.cwd;
  if (opts.env !== undefined) base.env = opts.env;
  if (opts.timeout !== undefined) base.timeout = opts.timeout;
  if (typeof command === "string") {
    if (command.trim() === "") throw new ExecutorError(EXECUTOR_ERROR_CODES.badArgument, "shell command is empty");
    return { ...base, command };
  }
  if (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== "string")) {
    throw new ExecutorError(EXECUTOR_ERROR_CODES.badArgument, "shell argv must be a non-empty array of strings");
  }
  return { ...base, argv: command };
}

/** A module export; the path is made absolute here (workers may run in another directory). */
export function moduleBody(modulePath: string, exportName: string, args: readonly unknown[]): ModuleTask {
  if (!modulePath || !exportName) throw new ExecutorError(EXECUTOR_ERROR_CODES.badArgument, "submitModule() needs a module path and an export name");
  return { kind: TASK_KINDS.module, path: path.resolve(modulePath), export: exportName, args };
}
