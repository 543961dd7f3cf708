/**
 * What commands need from the outside world, injectable so tests can run the commander program in-process
 * with argv arrays and see the typed options each role would receive.
 */
import fs from "node:fs";
import type { ExecutorOptions, InterchangeOptions, ManagerOptions, RunOptions, WorkerOptions } from "../config/roles.ts";
import { runManager } from "../manager/run.ts";
import { runWorker } from "../worker/run.ts";
import { runInterchange } from "../interchange/run.ts";
import { runExecutorCommand } from "../executor/run.ts";
import { runFxRun } from "../executor/fx-run.ts";

/** Each role's entry: takes its validated options, returns the process exit code. */
export interface RoleEntries {
  readonly manager: (opts: ManagerOptions) => Promise<number>;
  readonly worker: (opts: WorkerOptions) => Promise<number>;
  readonly interchange: (opts: InterchangeOptions) => Promise<number>;
  readonly executor: (opts: ExecutorOptions) => Promise<number>;
  readonly run: (opts: RunOptions) => Promise<number>;
}

export interface CliContext {
  readonly entries: RoleEntries;
  /** Where FX_* overrides are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readStdin: () => Promise<string>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (default of `fx run --progress`). */
  readonly stderrIsTTY: boolean;
  /** Records the exit code of the command that ran. */
  readonly setExitCode: (code: number) => void;
}

/** A context without the exit-code sink (runCli supplies that). */
export type CliIo = Omit<CliContext, "setExitCode">;

export const ROLE_ENTRIES: RoleEntries = {
  manager: runManager,
  worker: runWorker,
  interchange: runInterchange,
  executor: runExecutorCommand,
  run: runFxRun,
};

/**
 * Synchronous, complete writes: the CLI calls process.exit() right after a command, which must not cut off
 * output still queued in a stream (e.g. `fx config reference | less`). A closed pipe ends the write quietly.
 */
export function writeAllSync(fd: number, text: string): void {
  let buf = Buffer.from(text);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(fs.writeSync(fd, buf));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") continue;
      return;
    }
  }
}

export function processIo(): CliIo {
  return {
    entries: ROLE_ENTRIES,
    env: process.env,
    readStdin: () => new Response(Bun.stdin.stream()).text(),
    out: (t) => writeAllSync(1, t),
    err: (t) => writeAllSync(2, t),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}
