/**
 * Shell tasks: argv run directly, or a command string under `/bin/sh -c`, in its own process group
 * (so a timeout, or the end of the task, kills everything it started). stdout/stderr are kept up to
 * SHELL_OUTPUT_CAP_BYTES each; a non-zero exit is a value (ShellResult.returncode), not an error.
 */
import os from "node:os";
import { SHELL_OUTPUT_CAP_BYTES, type ShellResult, type ShellTask } from "../protocol/task.ts";
import { TaskError } from "./task-error.ts";

interface Captured {
  text: string;
  truncated: boolean;
}

/** Read a stream to its end, keeping at most `cap` bytes (the rest is read and dropped). */
async function capture(stream: ReadableStream<Uint8Array>, cap: number): Promise<Captured> {
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  for await (const chunk of stream) {
    if (kept >= cap) {
      truncated = true;
      continue;
    }
    const room = cap - kept;
    if (chunk.byteLength > room) {
      chunks.push(chunk.subarray(0, room));
      kept = cap;
      truncated = true;
    } else {
      chunks.push(chunk);
      kept += chunk.byteLength;
    }
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}

/** Process groups of shell tasks still running in this worker, so a leaving worker takes them along. */
const running = new Set<number>();
let activityListener: ((active: boolean) => void) | null = null;
/** Shell tasks being started or running. Counted from before the spawn, so the listener hears of a task before
 *  its process exists: a worker that must stay killable only by a catchable signal while it has shell tasks
 *  (SIGKILL would orphan them) has no window where the task runs and the worker does not know. */
let active = 0;

/** Told when the first shell task starts and when the last one ends (the worker adjusts its parent-death signal). */
export function onShellActivity(fn: ((active: boolean) => void) | null): void {
  activityListener = fn;
}

function activity(delta: 1 | -1): void {
  active += delta;
  if (delta === 1 ? active === 1 : active === 0) activityListener?.(delta === 1);
}

/** Kill every running shell task's process group (the worker is leaving). Synchronous: safe in an exit hook. */
export function killRunningShellTasks(): number {
  const n = running.size;
  for (const pid of running) killGroup(pid);
  running.clear();
  return n;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // the group is already gone
  }
}

export function shellArgv(task: ShellTask): string[] {
  return task.argv !== undefined ? [...task.argv] : ["/bin/sh", "-c", task.command ?? ""];
}

export async function runShellTask(task: ShellTask, cap = SHELL_OUTPUT_CAP_BYTES): Promise<ShellResult> {
  const argv = shellArgv(task);
  const started = performance.now();
  let proc: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  activity(1);
  try {
    proc = Bun.spawn(argv, {
      cwd: task.cwd,
      env: task.env ? { ...process.env, ...task.env } : process.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      detached: true, // own session + process group: killable as a whole
    });
  } catch (err) {
    activity(-1);
    throw new TaskError("E_BAD_TASK", `cannot start ${JSON.stringify(argv[0])}: ${(err as Error).message}`, { cause: err });
  }
  running.add(proc.pid);
  let timedOut = false;
  const timer =
    task.timeout !== undefined && task.timeout > 0
      ? setTimeout(() => {
          timedOut = true;
          killGroup(proc.pid);
        }, task.timeout * 1000)
      : undefined;
  const out = capture(proc.stdout, cap);
  const err = capture(proc.stderr, cap);
  const code = await proc.exited;
  // Whatever the command left running in its group goes with it (and releases the pipes).
  killGroup(proc.pid);
  running.delete(proc.pid);
  activity(-1);
  const [stdout, stderr] = await Promise.all([out, err]);
  if (timer !== undefined) clearTimeout(timer);
  if (timedOut) {
    throw new TaskError("E_TASK_TIMEOUT", `shell task exceeded its timeout of ${task.timeout} s and was killed`);
  }
  return {
    returncode: proc.signalCode !== null ? -(signalNumber(String(proc.signalCode)) ?? 1) : code,
    stdout: stdout.text,
    stderr: stderr.text,
    stdout_truncated: stdout.truncated,
    stderr_truncated: stderr.truncated,
    duration_ms: performance.now() - started,
  };
}

/** Like Python's subprocess: a process killed by signal N has returncode −N. */
function signalNumber(name: string): number | undefined {
  return (os.constants.signals as Record<string, number>)[name];
}
