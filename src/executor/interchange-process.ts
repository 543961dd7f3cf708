/**
 * Starts `fx interchange --config-stdin` as a child process (argv through selfArgv), writes the config TOML to
 * its stdin, and waits for its ready line. Reports the child's exit (with the tail of its stderr) so the
 * executor can fail outstanding tasks at once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { renderConfigToml } from "../config/render.ts";
import type { FxConfig } from "../config/schema.ts";
import { parseReadyLine, type ReadyInfo } from "../interchange/ready.ts";
import { selfArgv } from "../util/self-exec.ts";
import { ExecutorError, EXECUTOR_ERROR_CODES } from "./errors.ts";

const STDERR_KEEP = 8192;

export class InterchangeProcess {
  private child: ChildProcess | null = null;
  private stderrTail = "";
  private exitInfo: { code: number | null; signal: string | null } | null = null;
  private readonly exitListeners: ((why: string) => void)[] = [];
  readonly exited: Promise<void>;
  private resolveExited!: () => void;

  /** `fxCommand`: argv prefix that runs fx (default: this binary, see selfArgv). */
  constructor(private readonly config: FxConfig, private readonly fxCommand: readonly string[] | null = null) {
    this.exited = new Promise((r) => (this.resolveExited = r));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  onExit(f: (why: string) => void): void {
    this.exitListeners.push(f);
  }

  /** Why it exited, with its last stderr lines. */
  describeExit(): string {
    const e = this.exitInfo;
    const how = !e ? "is running" : e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
    const tail = this.stderrTail.trim().split("\n").slice(-5).join("\n  ");
    return `interchange (pid ${this.child?.pid ?? "?"}) ${how}${tail ? `; its last output:\n  ${tail}` : ""}`;
  }

  /** Spawns the interchange and resolves with its URLs once it is ready. */
  start(timeoutMs = 30_000): Promise<ReadyInfo> {
    const args = ["interchange", "--config-stdin"];
    const argv = this.fxCommand ? [...this.fxCommand, ...args] : selfArgv(args);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    child.stdin!.on("error", () => {}); // an early exit closes the pipe; the exit handler reports it
    child.stdin!.end(renderConfigToml(this.config));
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-STDERR_KEEP);
    });
    return new Promise<ReadyInfo>((resolve, reject) => {
      let buf = "";
      let ready = false;
      const timer = setTimeout(() => {
        if (ready) return;
        reject(new ExecutorError(EXECUTOR_ERROR_CODES.startFailed, `interchange did not report ready within ${timeoutMs} ms; ${this.describeExit()}`));
        this.kill("SIGKILL");
      }, timeoutMs);
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (s: string) => {
        if (ready) return;
        buf += s;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const info = parseReadyLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (info) {
            ready = true;
            clearTimeout(timer);
            resolve(info);
            return;
          }
        }
      });
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(new ExecutorError(EXECUTOR_ERROR_CODES.startFailed, `cannot start the interchange (${argv.join(" ")}): ${err.message}`, { cause: err }));
      });
      child.on("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        clearTimeout(timer);
        this.resolveExited();
        if (!ready) reject(new ExecutorError(EXECUTOR_ERROR_CODES.startFailed, `interchange failed to start: ${this.describeExit()}`));
        else for (const f of this.exitListeners) f(this.describeExit());
      });
    });
  }

  get running(): boolean {
    return this.child !== null && this.exitInfo === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) {
      try {
        this.child!.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  /** Waits for exit; after `graceMs` sends SIGTERM, then SIGKILL. */
  async stop(graceMs: number): Promise<void> {
    if (!this.child) return;
    const wait = (ms: number) => Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    if (await wait(graceMs)) return;
    this.kill("SIGTERM");
    if (await wait(5000)) return;
    this.kill("SIGKILL");
    await this.exited;
  }
}
