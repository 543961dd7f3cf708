/**
 * The one place that starts worker processes. A worker has a type (RAW or an image); for no_container it is
 * `fx worker …` re-executed through selfArgv(), for container modes the same argv wrapped by the containers
 * layer (spawnContainerWorker: podman/docker/apptainer/singularity, reuse or single use). Argv arrays only.
 * Each exit is reported once through `onExit`.
 */
import path from "node:path";
import { ColdStartTracker } from "../containers/cold-start.ts";
import { spawnContainerWorker, type ContainerWorkerProcess } from "../containers/launch.ts";
import { containerName, parseWorkerMode } from "../containers/runtime.ts";
import type { WorkerMode } from "../config/schema.ts";
import type { FxConfig } from "../config/schema.ts";
import { RAW_TASK_TYPE } from "../protocol/messages.ts";
import type { Logger } from "../util/log.ts";
import { selfArgv } from "../util/self-exec.ts";
import type { WorkerLauncher } from "./ports.ts";

export interface LauncherOptions {
  readonly workerUrl: string;
  /** Directory of the ipc socket, bind-mounted into containers at the same path. */
  readonly ipcDir: string | null;
  readonly mode: WorkerMode;
  readonly containerImage: string | null;
  readonly containers: FxConfig["containers"];
  readonly logdir: string | null;
  readonly debug: boolean;
  readonly maxPayloadBytes: number;
  readonly log: Logger;
  /** `startError`: a container that exited before its worker registered (E_CONTAINER_START message), else null. */
  readonly onExit: (workerId: string, exitCode: number | null, signal: string | null, startError: string | null) => void;
}

interface Handle {
  readonly pid: number;
  kill(signal: "SIGTERM" | "SIGKILL"): void;
  registered(): void;
}

/** The `fx worker …` arguments (after the binary). */
export function workerArgs(o: LauncherOptions, workerId: string, type: string, singleUse: boolean): string[] {
  const args = ["worker", "--manager-url", o.workerUrl, "--worker-id", workerId, "--worker-type", type, "--max-payload-bytes", String(o.maxPayloadBytes)];
  args.push("--logdir", o.logdir ?? ""); // "" = stderr (inherited from the manager), never the config default
  if (o.debug) args.push("--debug");
  if (singleUse) args.push("--single-use");
  return args;
}

export class ProcessLauncher implements WorkerLauncher {
  private readonly live = new Map<string, Handle>();
  /** Container spawn → worker registration times per image (summarised in the manager's exit line). */
  readonly coldStarts = new ColdStartTracker();
  private readonly runtime: ReturnType<typeof parseWorkerMode>;

  constructor(private readonly o: LauncherOptions) {
    this.runtime = parseWorkerMode(o.mode);
  }

  start(workerId: string, type: string): { pid: number } {
    const image = type === RAW_TASK_TYPE ? this.o.containerImage : type;
    const h = this.runtime.runtime === null || image === null ? this.startPlain(workerId, type) : this.startContainer(workerId, type, image);
    this.live.set(workerId, h);
    return { pid: h.pid };
  }

  private startPlain(workerId: string, type: string): Handle {
    const argv = selfArgv(workerArgs(this.o, workerId, type, this.runtime.singleUse));
    const proc = Bun.spawn(argv, {
      stdin: "ignore",
      stdout: "inherit",
      stderr: "inherit",
      onExit: (_p, exitCode, signalCode) => this.exited(workerId, exitCode, signalCode === null ? null : String(signalCode)),
    });
    return { pid: proc.pid, kill: (s) => proc.kill(s), registered: () => {} };
  }

  private startContainer(workerId: string, type: string, image: string): Handle {
    // The ipc socket dir and the log dir are bind-mounted at their host paths, so the worker reaches its
    // manager and its log lands next to the manager's.
    const logdir = this.o.logdir === null ? null : path.resolve(this.o.logdir);
    const dirs = [this.o.ipcDir, logdir].filter((d): d is string => d !== null);
    const cw: ContainerWorkerProcess = spawnContainerWorker({
      mode: this.o.mode,
      image,
      // The container adds --single-use itself for *_single_use modes.
      workerArgv: workerArgs({ ...this.o, logdir }, workerId, type, false),
      fxBinaryPath: process.execPath,
      name: containerName("fx", workerId),
      bindMounts: dirs.map((d) => ({ source: d, target: d })),
      extraArgs: this.o.containers.extra_args,
      envPassthrough: this.o.containers.env_passthrough,
      env: process.env,
      templates: this.o.containers.templates,
      onStderrLine: (line) => this.o.log.debug("container", { worker: workerId, line }),
    });
    this.coldStarts.spawned(workerId, type, performance.now());
    void cw.exited.then((x) => {
      this.coldStarts.failed(workerId);
      if (x.startError !== null) this.o.log.error(x.startError.message, { worker: workerId, image, stderr: x.stderrTail });
      this.exited(workerId, x.exitCode, x.signal, x.startError?.message ?? null);
    });
    return {
      pid: cw.pid,
      kill: (s) => void (s === "SIGKILL" ? cw.stop(0) : cw.stop(5000)),
      registered: () => cw.markRegistered(),
    };
  }

  private exited(workerId: string, exitCode: number | null, signal: string | null, startError: string | null = null): void {
    if (!this.live.delete(workerId)) return;
    this.o.onExit(workerId, exitCode, signal, startError);
  }

  registered(workerId: string): void {
    this.live.get(workerId)?.registered();
    this.coldStarts.registered(workerId, performance.now());
  }

  signal(workerId: string, force: boolean): void {
    try {
      this.live.get(workerId)?.kill(force ? "SIGKILL" : "SIGTERM");
    } catch {
      // already gone: its exit is on its way
    }
  }

  alive(): string[] {
    return [...this.live.keys()];
  }
}
