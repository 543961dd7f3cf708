/**
 * Module tasks: an export of a .ts or .js module on the worker's filesystem, imported once (the runtime's
 * module cache keeps it) and called with the task's args. Relative paths resolve against the worker's cwd.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ModuleTask } from "../protocol/task.ts";
import { TaskError } from "./task-error.ts";

const loaded = new Map<string, Record<string, unknown>>();

async function loadModule(absPath: string): Promise<Record<string, unknown>> {
  const hit = loaded.get(absPath);
  if (hit !== undefined) return hit;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(absPath).href)) as Record<string, unknown>;
  } catch (err) {
    throw new TaskError("E_BAD_TASK", `cannot import module ${absPath}: ${(err as Error).message}`, { cause: err });
  }
  loaded.set(absPath, mod);
  return mod;
}

/** Resolve the export a module task names; a missing module or a non-function export is a BadTask. */
export async function resolveExport(task: ModuleTask): Promise<(...args: unknown[]) => unknown> {
  const absPath = path.resolve(task.path);
  const mod = await loadModule(absPath);
  const fn = mod[task.export];
  if (typeof fn !== "function") {
    const what = fn === undefined ? "has no export" : `export is a ${typeof fn}, not a function:`;
    throw new TaskError("E_BAD_TASK", `module ${absPath} ${what} ${JSON.stringify(task.export)}`);
  }
  return fn as (...args: unknown[]) => unknown;
}

/** A synchronous lookup for modules already imported (keeps the hot path free of awaits). */
export function cachedExport(task: ModuleTask): ((...args: unknown[]) => unknown) | undefined {
  const mod = loaded.get(path.resolve(task.path));
  const fn = mod?.[task.export];
  return typeof fn === "function" ? (fn as (...args: unknown[]) => unknown) : undefined;
}
