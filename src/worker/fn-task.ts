/**
 * Function tasks: JS/TS source text compiled on the worker in a fresh global scope (closures are NOT
 * captured), cached by the sender's `hash` so a source is compiled once per worker.
 */
import { createRequire } from "node:module";
import path from "node:path";
import type { FnTask } from "../protocol/task.ts";
import { TaskError } from "./task-error.ts";

export type CompiledFn = (...args: unknown[]) => unknown;

/** Compiled functions by source hash, oldest evicted first past `limit`. */
export class FnCache {
  private readonly map = new Map<string, CompiledFn>();
  constructor(private readonly limit = 1024) {}

  get size(): number {
    return this.map.size;
  }

  /** The compiled function for this task, compiling (and caching) it on first sight of its hash. */
  resolve(task: FnTask): CompiledFn {
    const hit = this.map.get(task.hash);
    if (hit !== undefined) return hit;
    const fn = compileFunction(task.source);
    if (this.map.size >= this.limit) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(task.hash, fn);
    return fn;
  }
}

let requireFn: NodeJS.Require | null = null;

/** CommonJS `require` for task code, resolving from the worker's working directory. */
function taskRequire(): NodeJS.Require {
  requireFn ??= createRequire(path.join(process.cwd(), "fx-task.js"));
  return requireFn;
}

/**
 * Compile function source (`(x) => x + 1`, `async function f() {}`, `function (a, b) {…}`) in the global
 * scope. Anything that does not evaluate to a function is a BadTask.
 */
export function compileFunction(source: string): CompiledFn {
  let value: unknown;
  try {
    // new Function bodies see only globals (plus `require`, resolved from the worker's cwd): the caller's
    // closures can't leak in, and neither can ours.
    value = new Function("require", `"use strict";\nreturn (${source}\n);`)(taskRequire());
  } catch (err) {
    throw new TaskError("E_BAD_TASK", `function source does not compile: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== "function") {
    throw new TaskError("E_BAD_TASK", `function source evaluates to ${typeof value}, not a function`);
  }
  return value as CompiledFn;
}
