/**
 * Task bodies: what a WireTask's `payload` holds (msgpack), decoded only by the worker.
 * And the result value of a shell task. Pure data.
 */

export const TASK_KINDS = { fn: "fn", module: "module", shell: "shell" } as const;
export type TaskKind = (typeof TASK_KINDS)[keyof typeof TASK_KINDS];

/**
 * A JS/TS function sent as source text. Closures are NOT captured: the source is compiled on the worker in a
 * fresh scope, so the function may use only its arguments, globals and what it imports dynamically.
 * Workers cache compiled functions by `hash` (Bun.hash of the source, hex), so a source string is compiled once.
 */
export interface FnTask {
  readonly kind: typeof TASK_KINDS.fn;
  readonly source: string;
  readonly hash: string;
  readonly args: readonly unknown[];
}

/** An export of a module resolved on the worker's filesystem (.ts or .js), called with args. */
export interface ModuleTask {
  readonly kind: typeof TASK_KINDS.module;
  readonly path: string;
  readonly export: string;
  readonly args: readonly unknown[];
}

/** A shell command: `argv` runs directly; `command` runs under /bin/sh -c. Exactly one of them. */
export interface ShellTask {
  readonly kind: typeof TASK_KINDS.shell;
  readonly argv?: readonly string[];
  readonly command?: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Seconds; the process group is killed after it, and the task fails with E_TASK_TIMEOUT. */
  readonly timeout?: number;
}

export type TaskBody = FnTask | ModuleTask | ShellTask;

/** stdout/stderr kept per shell task; the rest is dropped and `*_truncated` set. */
export const SHELL_OUTPUT_CAP_BYTES = 1024 * 1024;

/** The value of a finished shell task (a non-zero returncode is a value, not an error). */
export interface ShellResult {
  readonly returncode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdout_truncated: boolean;
  readonly stderr_truncated: boolean;
  readonly duration_ms: number;
}
