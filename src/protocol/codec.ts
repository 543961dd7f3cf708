/**
 * The one msgpackr setup every role uses, and the edge validators: bytes in → a typed message out, or a
 * ProtocolError naming what is wrong. Nothing past these functions sees an unchecked message.
 *
 * Hot path note: validation of task/result arrays is a few typeof checks per element; payload bytes are views
 * into the received frame (no copy), so they stay valid as long as nobody mutates that frame.
 */
import { Packr } from "msgpackr";
import { ProtocolError } from "./errors.ts";
import {
  ATTACH_MIN_BYTES,
  COMMANDS,
  MSG,
  TASK_STATES,
  type ClientToInterchange,
  type CommandReply,
  type CommandRequest,
  type EncodedMessage,
  type InterchangeToClient,
  type InterchangeToManager,
  type ManagerToInterchange,
  type ManagerResults,
  type ManagerToWorker,
  type Results,
  type WireError,
  type WireResult,
  type WireTask,
  type WorkerToManager,
} from "./messages.ts";
import type { TaskBody } from "./task.ts";

const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: "number", moreTypes: false });

/** Encode any protocol value (a message, a task body, a result value). */
export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

/**
 * Encode a message, moving every task payload / result value of ATTACH_MIN_BYTES or more out of the map into an
 * attachment frame of its own (the map holds its index). The attachments are the caller's bytes, not copies:
 * the ZMTP writer sends big frames by reference. Returns one frame when nothing is attached.
 */
export function encodeMessage(msg: object): EncodedMessage {
  const m = msg as { tasks?: readonly Obj[]; results?: readonly Obj[] };
  const listKey = m.tasks !== undefined ? "tasks" : m.results !== undefined ? "results" : null;
  if (listKey === null) return packr.pack(msg);
  const items = (listKey === "tasks" ? m.tasks : m.results)!;
  const key = listKey === "tasks" ? "payload" : "value";
  let out: Obj[] | null = null;
  const att: Uint8Array[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const b = it[key];
    if (b instanceof Uint8Array && b.byteLength >= ATTACH_MIN_BYTES) {
      out ??= items.slice(0, i);
      out.push({ ...it, [key]: att.length });
      att.push(b);
    } else if (out !== null) out.push(it);
  }
  if (out === null) return packr.pack(msg);
  return [packr.pack({ ...msg, [listKey]: out }), ...att];
}

/** The frames of an encoded message, as an array; with `routingId`, that frame first (a ROUTER's send). */
export function framesOf(m: EncodedMessage, routingId?: Uint8Array): readonly Uint8Array[] {
  if (routingId === undefined) return m instanceof Uint8Array ? [m] : m;
  return m instanceof Uint8Array ? [routingId, m] : [routingId, ...m];
}

/** A message's map frame, and how many attachment frames follow it (without building a frame list). */
export function headOf(m: EncodedMessage): Uint8Array | undefined {
  return m instanceof Uint8Array ? m : m[0];
}
export function attachmentCount(m: EncodedMessage): number {
  return m instanceof Uint8Array ? 0 : Math.max(0, m.length - 1);
}

const NO_ATTACHMENTS: readonly Uint8Array[] = Object.freeze([]);

/** Decode msgpack bytes without validation (task bodies and result values: validated by their consumer). */
export function decodeValue(bytes: Uint8Array): unknown {
  try {
    return packr.unpack(bytes);
  } catch (err) {
    throw new ProtocolError("E_PROTO_MSGPACK", `not valid msgpack (${(err as Error).message})`, { cause: err });
  }
}

// ───────────── small checkers ─────────────

type Obj = Record<string, unknown>;

function fail(what: string): never {
  throw new ProtocolError("E_PROTO_INVALID", what);
}
function asObject(v: unknown, what: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Uint8Array) fail(`${what} must be a map`);
  return v as Obj;
}
function str(o: Obj, k: string, what: string): string {
  const v = o[k];
  if (typeof v !== "string") fail(`${what}.${k} must be a string`);
  return v;
}
function num(o: Obj, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== "number" || Number.isNaN(v)) fail(`${what}.${k} must be a number`);
  return v;
}
function uint(o: Obj, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) fail(`${what}.${k} must be a non-negative integer`);
  return v;
}
function bool(o: Obj, k: string, what: string): boolean {
  const v = o[k];
  if (typeof v !== "boolean") fail(`${what}.${k} must be a boolean`);
  return v;
}
function arr(o: Obj, k: string, what: string): unknown[] {
  const v = o[k];
  if (!Array.isArray(v)) fail(`${what}.${k} must be an array`);
  return v;
}
function strArray(o: Obj, k: string, what: string): string[] {
  const a = arr(o, k, what);
  for (const s of a) if (typeof s !== "string") fail(`${what}.${k} must hold strings`);
  return a as string[];
}
function optNum(o: Obj, k: string, what: string): void {
  if (o[k] !== undefined && o[k] !== null) num(o, k, what);
}
function optStr(o: Obj, k: string, what: string): void {
  if (o[k] !== undefined && o[k] !== null) str(o, k, what);
}

// The message being decoded (its frames) and the next attachment to claim. Decoding is synchronous, so one
// cursor serves every decoder; decodeChannel sets it for one decode and checks every attachment was claimed.
let attFrames: readonly Uint8Array[] = NO_ATTACHMENTS;
let attNext = 0;

/**
 * Decode `msg` (a lone map frame, or the map frame and its attachments) on `channel`: the map must have a string
 * `type`; `check` validates it by type (claiming attachments as it goes), and every attachment must be claimed.
 */
function decodeChannel<T>(msg: EncodedMessage, channel: string, check: (o: Obj) => void): T {
  const head = headOf(msg);
  if (head === undefined) fail(`${channel} message has no frames`);
  attFrames = msg instanceof Uint8Array ? NO_ATTACHMENTS : msg;
  attNext = 0;
  try {
    const o = decodeMap(head, channel);
    check(o);
    const n = attachmentCount(msg);
    if (attNext !== n) fail(`${channel} message has ${n} attachment frame(s) but references ${attNext}`);
    return o as unknown as T;
  } finally {
    attFrames = NO_ATTACHMENTS;
  }
}

/** A task payload / result value: inline `bin`, or the index of the next attachment frame (replaced by its bytes). */
function body(o: Obj, k: string, what: string): void {
  const v = o[k];
  if (v instanceof Uint8Array) return;
  if (typeof v !== "number") fail(`${what}.${k} must be binary or an attachment index`);
  if (v !== attNext) fail(`${what}.${k} names attachment ${v}; attachments are referenced in order, expected ${attNext}`);
  const f = attFrames[1 + attNext];
  if (f === undefined) fail(`${what}.${k} names attachment ${v}, but the message has ${Math.max(0, attFrames.length - 1)}`);
  attNext++;
  o[k] = f;
}

function checkTasks(o: Obj, what: string): void {
  const tasks = arr(o, "tasks", what);
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i] as Obj;
    if (typeof t !== "object" || t === null) fail(`${what}.tasks[${i}] must be a map`);
    const w = `${what}.tasks[${i}]`;
    uint(t, "id", w);
    str(t, "task_type", w);
    body(t, "payload", w);
    optNum(t, "duration", w);
    if (t.retries !== undefined && t.retries !== null) uint(t, "retries", w);
  }
}

function checkWireError(v: unknown, what: string): WireError {
  const e = asObject(v, what);
  str(e, "name", what);
  str(e, "message", what);
  for (const k of ["stack", "code", "host", "worker_id", "manager_id"]) optStr(e, k, what);
  return e as unknown as WireError;
}

function checkResults(o: Obj, what: string): void {
  const results = arr(o, "results", what);
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as Obj;
    if (typeof r !== "object" || r === null) fail(`${what}.results[${i}] must be a map`);
    const w = `${what}.results[${i}]`;
    uint(r, "id", w);
    if (r.error !== undefined) checkWireError(r.error, `${w}.error`);
    else body(r, "value", w);
  }
}

function decodeMap(buf: Uint8Array, channel: string): Obj {
  const v = decodeValue(buf);
  const o = asObject(v, `${channel} message`);
  if (typeof o.type !== "string") fail(`${channel} message has no string "type"`);
  return o;
}

function unknownType(channel: string, type: unknown): never {
  throw new ProtocolError("E_PROTO_UNKNOWN_TYPE", `${channel} message has unknown type ${JSON.stringify(type)}`);
}

// ───────────── per-channel decoders ─────────────

export function decodeClientToInterchange(msg: EncodedMessage): ClientToInterchange {
  return decodeChannel<ClientToInterchange>(msg, "client", (o) => {
    switch (o.type) {
      case MSG.clientHello:
        num(o, "protocol_version", "client_hello");
        str(o, "fx_version", "client_hello");
        bool(o, "want_status", "client_hello");
        break;
      case MSG.submit:
        checkTasks(o, "submit");
        break;
      case MSG.cancel:
        for (const id of arr(o, "ids", "cancel")) if (typeof id !== "number") fail("cancel.ids must hold numbers");
        break;
      default:
        unknownType("client", o.type);
    }
  });
}

export function decodeInterchangeToClient(msg: EncodedMessage): InterchangeToClient {
  return decodeChannel<InterchangeToClient>(msg, "client", (o) => {
    switch (o.type) {
      case MSG.clientWelcome:
        num(o, "protocol_version", "client_welcome");
        str(o, "fx_version", "client_welcome");
        str(o, "interchange_id", "client_welcome");
        num(o, "max_payload_bytes", "client_welcome");
        break;
      case MSG.results:
        checkResults(o, "results");
        break;
      case MSG.status: {
        const ups = arr(o, "updates", "status");
        for (const u of ups) {
          if (!Array.isArray(u) || typeof u[0] !== "number" || !TASK_STATES.includes(u[1]) || typeof u[2] !== "string") {
            fail("status.updates must hold [id, state, manager_id] triples");
          }
        }
        break;
      }
      case MSG.refused:
        arr(o, "ids", "refused");
        checkWireError(o.error, "refused.error");
        break;
      case MSG.error:
        str(o, "code", "error");
        str(o, "message", "error");
        break;
      default:
        unknownType("client", o.type);
    }
  });
}

export function decodeManagerToInterchange(msg: EncodedMessage): ManagerToInterchange {
  return decodeChannel<ManagerToInterchange>(msg, "task-channel", (o) => {
    switch (o.type) {
      case MSG.register: {
        const w = "register";
        num(o, "protocol_version", w);
        str(o, "fx_version", w);
        str(o, "manager_id", w);
        str(o, "block_id", w);
        str(o, "hostname", w);
        str(o, "os", w);
        num(o, "pid", w);
        num(o, "cores", w);
        num(o, "memory_bytes", w);
        uint(o, "worker_count", w);
        strArray(o, "worker_types", w);
        str(o, "worker_mode", w);
        str(o, "scheduler_mode", w);
        uint(o, "prefetch", w);
        optNum(o, "walltime_end_ms", w);
        break;
      }
      case MSG.request: {
        num(o, "capacity", "request");
        if (o.per_type !== undefined) {
          const pt = asObject(o.per_type, "request.per_type");
          for (const v of Object.values(pt)) if (typeof v !== "number") fail("request.per_type values must be numbers");
        }
        break;
      }
      case MSG.heartbeat:
        num(o, "running", "heartbeat");
        num(o, "idle_workers", "heartbeat");
        strArray(o, "worker_types", "heartbeat");
        break;
      default:
        unknownType("task-channel", o.type);
    }
  });
}

export function decodeInterchangeToManager(msg: EncodedMessage): InterchangeToManager {
  return decodeChannel<InterchangeToManager>(msg, "task-channel", (o) => {
    switch (o.type) {
      case MSG.registered:
        str(o, "interchange_id", "registered");
        num(o, "heartbeat_period", "registered");
        num(o, "heartbeat_threshold", "registered");
        break;
      case MSG.badRegistration:
        str(o, "code", "bad_registration");
        str(o, "message", "bad_registration");
        break;
      case MSG.tasks:
        checkTasks(o, "tasks");
        if (o.want_status !== undefined && o.want_status !== null) bool(o, "want_status", "tasks");
        break;
      case MSG.heartbeat:
        break;
      case MSG.drain:
      case MSG.shutdown:
        str(o, "reason", o.type);
        break;
      default:
        unknownType("task-channel", o.type);
    }
  });
}

/** Result channel (manager → interchange) and the worker's replies share the Results shape. */
export function decodeResults(msg: EncodedMessage): Results {
  return decodeChannel<Results>(msg, "result-channel", (o) => {
    if (o.type !== MSG.results) unknownType("result-channel", o.type);
    checkResults(o, "results");
  });
}

/** Everything a manager sends on the result channel: `results`, or `started` notices (status stream). */
export function decodeManagerResults(msg: EncodedMessage): ManagerResults {
  return decodeChannel<ManagerResults>(msg, "result-channel", (o) => {
    if (o.type === MSG.results) checkResults(o, "results");
    else if (o.type === MSG.started) {
      for (const id of arr(o, "ids", "started")) if (typeof id !== "number" || !Number.isInteger(id) || id < 0) fail("started.ids must hold non-negative integers");
    } else unknownType("result-channel", o.type);
  });
}

export function decodeWorkerToManager(msg: EncodedMessage): WorkerToManager {
  return decodeChannel<WorkerToManager>(msg, "worker-channel", (o) => {
    switch (o.type) {
      case MSG.workerHello:
        str(o, "worker_id", "worker_hello");
        str(o, "worker_type", "worker_hello");
        num(o, "pid", "worker_hello");
        bool(o, "single_use", "worker_hello");
        break;
      case MSG.results:
        checkResults(o, "results");
        break;
      default:
        unknownType("worker-channel", o.type);
    }
  });
}

export function decodeManagerToWorker(msg: EncodedMessage): ManagerToWorker {
  return decodeChannel<ManagerToWorker>(msg, "worker-channel", (o) => {
    switch (o.type) {
      case MSG.tasks:
        checkTasks(o, "tasks");
        break;
      case MSG.shutdown:
        str(o, "reason", "shutdown");
        break;
      default:
        unknownType("worker-channel", o.type);
    }
  });
}

const COMMAND_NAMES = new Set<string>(Object.values(COMMANDS));

export function decodeCommandRequest(buf: Uint8Array): CommandRequest {
  const o = decodeMap(buf, "command");
  if (!COMMAND_NAMES.has(o.type as string)) unknownType("command", o.type);
  switch (o.type) {
    case COMMANDS.holdManager:
      str(o, "manager_id", "hold_manager");
      break;
    case COMMANDS.scaleOut:
      uint(o, "blocks", "scale_out");
      optStr(o, "task_type", "scale_out");
      break;
    case COMMANDS.scaleIn:
      if (o.blocks !== undefined) uint(o, "blocks", "scale_in");
      if (o.block_ids !== undefined) strArray(o, "block_ids", "scale_in");
      break;
    case COMMANDS.shutdown:
      if (o.drain !== undefined) bool(o, "drain", "shutdown");
      break;
  }
  return o as unknown as CommandRequest;
}

export function decodeCommandReply(buf: Uint8Array): CommandReply {
  const o = asObject(decodeValue(buf), "command reply");
  if (o.ok === true) return o as unknown as CommandReply;
  if (o.ok === false) {
    const e = asObject(o.error, "command reply.error");
    str(e, "code", "command reply.error");
    str(e, "message", "command reply.error");
    return o as unknown as CommandReply;
  }
  return fail('command reply must have boolean "ok"');
}

/** Decode and check a task body (worker side). */
export function decodeTaskBody(payload: Uint8Array): TaskBody {
  const o = asObject(decodeValue(payload), "task body");
  switch (o.kind) {
    case "fn":
      str(o, "source", "fn task");
      str(o, "hash", "fn task");
      arr(o, "args", "fn task");
      break;
    case "module":
      str(o, "path", "module task");
      str(o, "export", "module task");
      arr(o, "args", "module task");
      break;
    case "shell": {
      const hasArgv = o.argv !== undefined;
      const hasCmd = o.command !== undefined;
      if (hasArgv === hasCmd) fail("shell task needs exactly one of argv or command");
      if (hasArgv) {
        const a = strArray(o, "argv", "shell task");
        if (a.length === 0) fail("shell task argv must not be empty");
      } else str(o, "command", "shell task");
      optStr(o, "cwd", "shell task");
      if (o.env !== undefined) {
        const env = asObject(o.env, "shell task.env");
        for (const v of Object.values(env)) if (typeof v !== "string") fail("shell task.env values must be strings");
      }
      optNum(o, "timeout", "shell task");
      break;
    }
    default:
      fail(`task body has unknown kind ${JSON.stringify(o.kind)}`);
  }
  return o as unknown as TaskBody;
}

export type { WireTask, WireResult };
