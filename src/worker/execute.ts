/**
 * Run one task body and turn the outcome into a WireResult: the value msgpack-encoded, or a WireError
 * carrying the remote name, message, stack, host and worker id. Synchronous functions complete
 * synchronously (no promise, no microtask) so a worker can run a batch of no-op tasks in one turn.
 */
import { decodeTaskBody, encode } from "../protocol/codec.ts";
import type { WireError, WireResult, WireTask } from "../protocol/messages.ts";
import type { TaskBody } from "../protocol/task.ts";
import { FxError } from "../util/errors.ts";
import { FnCache } from "./fn-task.ts";
import { cachedExport, resolveExport } from "./module-task.ts";
import { runShellTask } from "./shell-task.ts";
import { TaskError } from "./task-error.ts";

export interface ExecContext {
  readonly host: string;
  readonly workerId: string;
  readonly fnCache: FnCache;
  /** A result value larger than this (encoded) fails with PayloadTooLarge instead of travelling. */
  readonly maxResultBytes: number;
}

export function createExecContext(host: string, workerId: string, maxResultBytes = Infinity): ExecContext {
  return { host, workerId, fnCache: new FnCache(), maxResultBytes };
}

/** Any thrown value as a WireError (user errors keep their class name and stack). */
export function toWireError(err: unknown, ctx: ExecContext): WireError {
  if (err instanceof Error) {
    const e: { -readonly [K in keyof WireError]: WireError[K] } = {
      name: err.name || "Error",
      message: err.message,
      host: ctx.host,
      worker_id: ctx.workerId,
    };
    if (typeof err.stack === "string") e.stack = err.stack;
    if (err instanceof FxError) e.code = err.code;
    return e;
  }
  return { name: "Error", message: describeThrown(err), host: ctx.host, worker_id: ctx.workerId };
}

function describeThrown(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    return `non-Error value thrown: ${JSON.stringify(v)}`;
  } catch {
    return `non-Error value thrown: ${String(v)}`;
  }
}

// The commonest return values, encoded once; shared, never mutated.
const UNDEFINED = encode(undefined);
const NIL = encode(null);
const FALSE = encode(false);
const TRUE = encode(true);

function valueResult(id: number, value: unknown, ctx: ExecContext): WireResult {
  if (value === undefined) return { id, value: UNDEFINED };
  if (value === null) return { id, value: NIL };
  if (value === true) return { id, value: TRUE };
  if (value === false) return { id, value: FALSE };
  let bytes: Uint8Array;
  try {
    bytes = encode(value);
  } catch (err) {
    const e = new TaskError("E_BAD_TASK", `the task's return value cannot be serialized: ${(err as Error).message}`, { cause: err });
    return { id, error: toWireError(e, ctx) };
  }
  if (bytes.length > ctx.maxResultBytes) {
    const e = new TaskError("E_PAYLOAD_TOO_LARGE", `the task's result is ${bytes.length} bytes encoded; max_payload_bytes is ${ctx.maxResultBytes}`);
    return { id, error: toWireError(e, ctx) };
  }
  return { id, value: bytes };
}

function errorResult(id: number, err: unknown, ctx: ExecContext): WireResult {
  return { id, error: toWireError(err, ctx) };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}

/** Settle a call's outcome: synchronous values stay synchronous. */
function settle(id: number, call: () => unknown, ctx: ExecContext): WireResult | Promise<WireResult> {
  let out: unknown;
  try {
    out = call();
  } catch (err) {
    return errorResult(id, err, ctx);
  }
  if (!isThenable(out)) return valueResult(id, out, ctx);
  return Promise.resolve(out).then(
    (v) => valueResult(id, v, ctx),
    (err) => errorResult(id, err, ctx),
  );
}

/** Decode and run one task. Never throws: every failure becomes an error result. */
export function executeTask(task: WireTask, ctx: ExecContext): WireResult | Promise<WireResult> {
  let body: TaskBody;
  try {
    body = decodeTaskBody(task.payload);
  } catch (err) {
    return errorResult(task.id, new TaskError("E_BAD_TASK", `task ${task.id} has a malformed body: ${(err as Error).message}`, { cause: err }), ctx);
  }
  return executeBody(task.id, body, ctx);
}

export function executeBody(id: number, body: TaskBody, ctx: ExecContext): WireResult | Promise<WireResult> {
  switch (body.kind) {
    case "fn":
      return settle(id, () => ctx.fnCache.resolve(body)(...body.args), ctx);
    case "module": {
      const fn = cachedExport(body);
      if (fn !== undefined) return settle(id, () => fn(...body.args), ctx);
      return resolveExport(body).then(
        (f) => settle(id, () => f(...body.args), ctx),
        (err) => errorResult(id, err, ctx),
      );
    }
    case "shell":
      return runShellTask(body).then(
        (r) => valueResult(id, r, ctx),
        (err) => errorResult(id, err, ctx),
      );
  }
}
