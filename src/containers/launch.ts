/**
 * The thin I/O shell around one container worker: spawn the argv from containerWorkerArgv, keep the tail of
 * its stderr, and turn an exit before the worker registered into E_CONTAINER_START.
 *
 *   const cw = spawnContainerWorker({ ...argvOptions, onStderrLine? });   // throws E_CONTAINER_RUNTIME if the runtime can't run
 *   cw.markRegistered()     the worker said hello: a later exit is an ordinary worker exit
 *   await cw.exited         → { exitCode, signal, stderrTail, startError: ContainerError | null }
 *   await cw.stop(graceMs)  SIGTERM, then SIGKILL after graceMs, then force-remove the named container
 *                           (podman/docker keep a container when their client process is killed); `exited`
 *                           of a stopped worker resolves only after that removal, and never as a start error
 *
 * `mode` must be a container mode; no_container workers are spawned by the manager directly.
 */
import { ContainerError, CONTAINER_ERROR_CODES } from "./errors.ts";
import { containerStopArgv, containerWorkerArgv, parseWorkerMode, type ContainerRuntime, type ContainerWorkerArgvOptions } from "./runtime.ts";
import { classifyStartFailure, spawnFailure, stderrTail } from "./start-failure.ts";
import { isCompiled } from "../util/self-exec.ts";

export interface ContainerExit {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  /** Set when the container exited before markRegistered(). */
  readonly startError: ContainerError | null;
}

export interface ContainerWorkerProcess {
  readonly pid: number;
  readonly runtime: ContainerRuntime;
  readonly argv: readonly string[];
  readonly exited: Promise<ContainerExit>;
  markRegistered(): void;
  stop(graceMs?: number): Promise<ContainerExit>;
}

export interface SpawnContainerWorkerOptions extends ContainerWorkerArgvOptions {
  /** Each stderr line of the container (worker logs, runtime errors), e.g. to forward to the manager's log. */
  readonly onStderrLine?: (line: string) => void;
  /** Environment of the runtime process itself (default: process.env). */
  readonly runtimeEnv?: Readonly<Record<string, string | undefined>>;
}

const TAIL_BYTES = 8192;

export function spawnContainerWorker(opts: SpawnContainerWorkerOptions): ContainerWorkerProcess {
  const { runtime } = parseWorkerMode(opts.mode);
  if (runtime === null) {
    throw new ContainerError(CONTAINER_ERROR_CODES.WORKER_MODE, "spawnContainerWorker needs a container worker_mode, not no_container");
  }
  if (!isCompiled() && opts.fxBinaryPath === process.execPath) {
    throw new ContainerError(CONTAINER_ERROR_CODES.RUNTIME,
      `container worker modes need the compiled fx binary (scripts/build → dist/fx) to mount into the image; this process runs fx from source under ${process.execPath}`,
      { image: opts.image, runtime });
  }
  const argv = containerWorkerArgv(opts);
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    // podman/docker clients run in their own session: a kill of the manager's process group (a provider
    // cancelling its block) must not catch `podman run` half-way through creating a container, which would
    // leave it behind ("Initialized"). Left alone, the client finishes, the worker finds no manager and exits,
    // and --rm removes the container.
    const detached = runtime === "podman" || runtime === "docker";
    proc = Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "pipe", env: { ...(opts.runtimeEnv ?? process.env) }, detached });
  } catch (err) {
    throw spawnFailure(runtime, opts.image, err);
  }
  let registered = false;
  let tail = "";
  const stderrDone = pump(proc.stderr as ReadableStream<Uint8Array>, (chunk, line) => {
    tail = (tail + chunk).slice(-TAIL_BYTES);
    if (line !== null) opts.onStderrLine?.(line);
  });
  let stopRequested = false;
  const exited: Promise<ContainerExit> = proc.exited.then(async (code) => {
    await Promise.race([stderrDone, Bun.sleep(2000)]);
    const signal = proc.signalCode === null || proc.signalCode === undefined ? null : String(proc.signalCode);
    const exitCode = signal ? null : code;
    // A runtime client stopped by us may leave its container behind (e.g. killed while podman was still
    // creating it: state "Initialized"): remove it before reporting the exit, so a manager that exits right
    // after its workers' exits leaves no container.
    if (stopRequested) await forceRemove(runtime, opts.name);
    const startError = registered || stopRequested ? null : classifyStartFailure({ runtime, image: opts.image, exitCode, signal, stderr: tail });
    return { exitCode, signal, stderrTail: stderrTail(tail), startError };
  });
  let stopping: Promise<ContainerExit> | null = null;
  const stop = (graceMs = 5000): Promise<ContainerExit> => {
    stopping ??= (async () => {
      stopRequested = true;
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    })();
    return stopping;
  };
  return {
    pid: proc.pid, runtime, argv, exited, stop,
    markRegistered: () => {
      registered = true;
    },
  };
}

/** Force-remove a named podman/docker container; a no-op when it is already gone or for apptainer. */
async function forceRemove(runtime: ContainerRuntime, name: string | undefined): Promise<void> {
  if (!name) return;
  const argv = containerStopArgv(runtime, name);
  if (argv === null) return;
  try {
    const p = Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    const timer = setTimeout(() => p.kill("SIGKILL"), 15_000);
    await p.exited;
    clearTimeout(timer);
  } catch {
    // the runtime vanished: nothing left to remove
  }
}

async function pump(stream: ReadableStream<Uint8Array>, onData: (chunk: string, line: string | null) => void): Promise<void> {
  const decoder = new TextDecoder();
  let partial = "";
  try {
    for await (const bytes of stream) {
      const chunk = decoder.decode(bytes, { stream: true });
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      onData(chunk, null);
      for (const line of lines) onData("", line);
    }
  } catch {
    // a closed pipe ends the tail; the exit status tells the rest
  }
  if (partial) onData("", partial);
}
