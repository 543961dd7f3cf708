/**
 * Every fx message, per channel, as discriminated unions on a string `type`. Pure data: no I/O.
 * docs/protocol.md documents each one field by field; keep the two in step.
 *
 * Channels (who binds → who connects, ZMTP socket types):
 *   client   : interchange ROUTER (client_task_url)  ← executor DEALER      ClientToInterchange / InterchangeToClient
 *   command  : interchange REP    (client_command_url) ← executor REQ      CommandRequest / CommandReply
 *   task     : interchange ROUTER (task_url)          ← manager DEALER      ManagerToInterchange / InterchangeToManager
 *   result   : interchange ROUTER (result_url)        ← manager DEALER      ManagerResults (manager → interchange only)
 *   worker   : manager ROUTER (ipc or tcp)            ← worker DEALER       WorkerToManager / ManagerToWorker
 *
 * Every ZMTP message is one msgpack map in its first frame (plus the routing-id frame a ROUTER adds/strips),
 * then zero or more attachment frames. Task and result bodies are opaque bytes: only the worker decodes a task
 * body and only the executor decodes a result value, so the interchange and the manager forward bytes untouched.
 * A body smaller than ATTACH_MIN_BYTES travels inside the map as a msgpack `bin`; a bigger one travels as an
 * attachment frame of its own and the map holds its index (uint, 0 = the frame after the map, in order of
 * appearance), so no hop ever copies it into or out of a msgpack encoding.
 *
 * Batching: tasks and results always travel in arrays, so every hop can batch. A sender flushes a batch when
 * it is full (size bound) or when its event-loop turn ends / a short period passes (time bound).
 */

/** Wire tags: the only place these strings are spelled. */
export const MSG = {
  // client channel
  clientHello: "client_hello",
  clientWelcome: "client_welcome",
  submit: "submit",
  results: "results",
  status: "status",
  refused: "refused",
  cancel: "cancel",
  // task channel (manager ↔ interchange)
  register: "register",
  registered: "registered",
  badRegistration: "bad_registration",
  request: "request",
  heartbeat: "heartbeat",
  tasks: "tasks",
  drain: "drain",
  // result channel (manager → interchange), besides results
  started: "started",
  shutdown: "shutdown",
  // worker channel (worker ↔ manager)
  workerHello: "worker_hello",
  // generic
  error: "error",
} as const;

/** Task payloads and result values of at least this many bytes travel as attachment frames (see above). */
export const ATTACH_MIN_BYTES = 16 * 1024;

/** An encoded message: the msgpack map frame, then its attachment frames (a lone frame when it has none). */
export type EncodedMessage = Uint8Array | readonly Uint8Array[];

/** Task states reported on the status stream (opt-in per client). */
export const TASK_STATES = ["pending", "dispatched", "running", "done", "failed"] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** The task type used when a task names no container: runs on a plain (no-container) worker. */
export const RAW_TASK_TYPE = "RAW";

// ───────────────────────────── shared pieces ─────────────────────────────

/** A task as it travels from client to interchange to manager to worker. */
export interface WireTask {
  /** Client channel: chosen by the client, unique per client connection (uint). Manager/worker channels:
   *  the interchange's own id for the task (uint), unique per interchange. */
  readonly id: number;
  /** Worker type that must run it: RAW_TASK_TYPE, or a container image reference. */
  readonly task_type: string;
  /** msgpack of a TaskBody (src/protocol/task.ts). Opaque to interchange and manager. On the wire: `bin`, or
   *  the index of an attachment frame (≥ ATTACH_MIN_BYTES); decoded messages always hold the bytes. */
  readonly payload: Uint8Array;
  /** Optional declared duration in seconds (walltime-aware dispatch); absent = unknown. */
  readonly duration?: number;
  /** Client channel only (optional): times the interchange re-runs this task when its manager or worker is
   *  lost, overriding executor.retries. Never sent to managers. */
  readonly retries?: number;
}

/** What went wrong remotely, as the executor's RemoteError carries it. */
export interface WireError {
  /** Error class name: the user's (e.g. "TypeError") or an fx one ("ManagerLost", "WorkerLost", …). */
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** Stable code for fx-made errors (E_MANAGER_LOST, E_WORKER_LOST, E_TASK_TIMEOUT, …). */
  readonly code?: string;
  readonly host?: string;
  readonly worker_id?: string;
  readonly manager_id?: string;
}

/** One finished task. Exactly one of `value` / `error` is present. */
export interface WireResult {
  readonly id: number;
  /** msgpack of the returned value (shell tasks: a ShellResult). Opaque to interchange and manager. On the
   *  wire: `bin`, or the index of an attachment frame, like WireTask.payload. */
  readonly value?: Uint8Array;
  readonly error?: WireError;
  /** Where and how long it ran (ms since epoch). Optional, for the run log and the status stream. */
  readonly host?: string;
  readonly worker_id?: string;
  readonly t_start?: number;
  readonly t_end?: number;
}

// ───────────────────────────── client channel ─────────────────────────────

export interface ClientHello {
  readonly type: typeof MSG.clientHello;
  readonly protocol_version: number;
  readonly fx_version: string;
  /** Ask for the per-task status stream (pending/dispatched/running/done/failed). Off by default: it costs. */
  readonly want_status: boolean;
}
export interface Submit {
  readonly type: typeof MSG.submit;
  readonly tasks: readonly WireTask[];
}
export interface Cancel {
  readonly type: typeof MSG.cancel;
  readonly ids: readonly number[];
}
export type ClientToInterchange = ClientHello | Submit | Cancel;

export interface ClientWelcome {
  readonly type: typeof MSG.clientWelcome;
  readonly protocol_version: number;
  readonly fx_version: string;
  readonly interchange_id: string;
  /** The limit the interchange enforces, so the client can refuse early. */
  readonly max_payload_bytes: number;
}
export interface Results {
  readonly type: typeof MSG.results;
  readonly results: readonly WireResult[];
}
export interface StatusUpdates {
  readonly type: typeof MSG.status;
  /** [task id, state, manager id or ""] triples, in the order they happened. */
  readonly updates: readonly (readonly [number, TaskState, string])[];
}
/** Tasks the interchange will not accept (payload too large, image not allowed, malformed…). */
export interface Refused {
  readonly type: typeof MSG.refused;
  readonly ids: readonly number[];
  readonly error: WireError;
}
export interface ErrorMsg {
  readonly type: typeof MSG.error;
  readonly code: string;
  readonly message: string;
}
export type InterchangeToClient = ClientWelcome | Results | StatusUpdates | Refused | ErrorMsg;

// ───────────────────────────── command channel ─────────────────────────────

export const COMMANDS = {
  outstanding: "outstanding",
  managers: "managers",
  workers: "workers",
  utilization: "utilization",
  holdManager: "hold_manager",
  scaleOut: "scale_out",
  scaleIn: "scale_in",
  blocks: "blocks",
  shutdown: "shutdown",
  ping: "ping",
} as const;
export type CommandName = (typeof COMMANDS)[keyof typeof COMMANDS];

export type CommandRequest =
  | { readonly type: typeof COMMANDS.outstanding }
  | { readonly type: typeof COMMANDS.managers }
  | { readonly type: typeof COMMANDS.workers }
  | { readonly type: typeof COMMANDS.utilization }
  | { readonly type: typeof COMMANDS.holdManager; readonly manager_id: string }
  | { readonly type: typeof COMMANDS.scaleOut; readonly blocks: number; readonly task_type?: string }
  | { readonly type: typeof COMMANDS.scaleIn; readonly blocks?: number; readonly block_ids?: readonly string[] }
  | { readonly type: typeof COMMANDS.blocks }
  | { readonly type: typeof COMMANDS.shutdown; readonly drain?: boolean }
  | { readonly type: typeof COMMANDS.ping };

/** Every reply: `ok` plus a command-specific `data`, or `ok:false` with an error. */
export type CommandReply =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

export interface ManagerInfo {
  readonly manager_id: string;
  readonly block_id: string;
  readonly hostname: string;
  /** The manager's process id on its host (from its registration). */
  readonly pid: number;
  readonly worker_count: number;
  readonly worker_types: readonly string[];
  readonly outstanding: number;
  readonly active: boolean;
  readonly held: boolean;
  readonly last_heartbeat_s_ago: number;
}

// ───────────────────────────── task channel (manager ↔ interchange) ─────────────────────────────

export interface Register {
  readonly type: typeof MSG.register;
  readonly protocol_version: number;
  readonly fx_version: string;
  /** Unique per manager process (uid); also its ZMTP routing id on both task and result channels. */
  readonly manager_id: string;
  readonly block_id: string;
  readonly hostname: string;
  readonly os: string;
  readonly pid: number;
  readonly cores: number;
  readonly memory_bytes: number;
  /** Workers this manager may run in total (max_workers after cores_per_worker). */
  readonly worker_count: number;
  /** Worker types it runs or may start (RAW_TASK_TYPE and/or image refs). */
  readonly worker_types: readonly string[];
  readonly worker_mode: string;
  readonly scheduler_mode: string;
  readonly prefetch: number;
  /** When the block's walltime ends (ms since epoch), if known. */
  readonly walltime_end_ms?: number;
}
export interface Request {
  readonly type: typeof MSG.request;
  /** How many more tasks the manager can take now (free workers + prefetch − already queued). */
  readonly capacity: number;
  /** The same, per worker type it has idle workers of (hard mode dispatch); absent = any type. */
  readonly per_type?: Readonly<Record<string, number>>;
}
export interface ManagerHeartbeat {
  readonly type: typeof MSG.heartbeat;
  /** Tasks the manager holds (queued + running), so the interchange can cross-check. */
  readonly running: number;
  readonly idle_workers: number;
  readonly worker_types: readonly string[];
}
export type ManagerToInterchange = Register | Request | ManagerHeartbeat;

export interface Registered {
  readonly type: typeof MSG.registered;
  readonly interchange_id: string;
  readonly heartbeat_period: number;
  readonly heartbeat_threshold: number;
}
export interface BadRegistration {
  readonly type: typeof MSG.badRegistration;
  readonly code: string;
  readonly message: string;
}
export interface Tasks {
  readonly type: typeof MSG.tasks;
  readonly tasks: readonly WireTask[];
  /** Task channel only (optional, absent = false): the interchange wants a `started` notice for these tasks
   *  when the manager hands them to workers (some connected client asked for the status stream). Managers never
   *  send it to workers. */
  readonly want_status?: boolean;
}
export interface InterchangeHeartbeat {
  readonly type: typeof MSG.heartbeat;
}
/** Stop asking for tasks; finish what you hold (polite scale-in, walltime drain). */
export interface Drain {
  readonly type: typeof MSG.drain;
  readonly reason: string;
}
export interface Shutdown {
  readonly type: typeof MSG.shutdown;
  readonly reason: string;
}
export type InterchangeToManager = Registered | BadRegistration | Tasks | InterchangeHeartbeat | Drain | Shutdown;

// ───────────────────────────── result channel (manager → interchange) ─────────────────────────────

/** Tasks of a `tasks` batch marked `want_status` that the manager just handed to workers (→ `running`). */
export interface Started {
  readonly type: typeof MSG.started;
  /** Interchange task ids, batched: at most one message per manager event-loop turn. */
  readonly ids: readonly number[];
}
export type ManagerResults = Results | Started;

// ───────────────────────────── worker channel (worker ↔ manager) ─────────────────────────────

export interface WorkerHello {
  readonly type: typeof MSG.workerHello;
  readonly worker_id: string;
  readonly worker_type: string;
  readonly pid: number;
  /** Single-use workers run exactly one task and exit. */
  readonly single_use: boolean;
}
/** A worker replies with Results (usually one; several when it was given several). */
export type WorkerToManager = WorkerHello | Results;
/** The manager may hand a worker several tasks; the worker runs them one at a time, in order. */
export type ManagerToWorker = Tasks | Shutdown;
