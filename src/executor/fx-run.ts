/**
 * Entry of `fx run`: every line of FILE (except blank and `#` lines) as a shell task (or, with --fn MODULE:EXPORT, every line of FILE as a
 * JSON array of arguments for that export) through a local executor or a running endpoint. Writes one JSON line
 * per task to --out (stdout by default), in input order; shows progress on stderr; exits 1 if any task failed.
 */
import fs from "node:fs";
import path from "node:path";
import type { RunOptions } from "../config/roles.ts";
import type { ShellResult } from "../protocol/index.ts";
import { UsageError, describeError } from "../util/errors.ts";
import { createLogger } from "../util/log.ts";
import { HighThroughputExecutor, type TaskPromise } from "./executor.ts";
import { RemoteError } from "./errors.ts";
import type { TaskOutcome } from "./pending.ts";
import { OrderedLines } from "./run-output.ts";
import { RunProgress, type ProgressCounts } from "./run-progress.ts";

/** Lines of the input; blank lines are skipped, and so (for shell commands) are lines starting with `#`. */
function readInput(file: string, skipComments: boolean): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${file === "-" ? "stdin" : file}: ${(err as Error).message}`, { cause: err });
  }
  return text.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== "" && !(skipComments && l.trimStart().startsWith("#")));
}

function parseArgs(lines: string[], file: string): unknown[][] {
  return lines.map((l, i) => {
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (err) {
      throw new UsageError(`${file}: task ${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    return Array.isArray(v) ? v : [v];
  });
}

function errorRecord(index: number, err: unknown, durationMs: number) {
  const e = err instanceof RemoteError
    ? { name: err.remoteName, message: err.remoteMessage, code: err.code }
    : { name: (err as Error)?.name ?? "Error", message: describeError(err), code: (err as { code?: string })?.code };
  return { index, returncode: null, error: e, host: err instanceof RemoteError ? err.host ?? null : null, duration: durationMs / 1000 };
}

export async function runFxRun(opts: RunOptions): Promise<number> {
  const log = createLogger({ name: "run", level: opts.logLevel, ...(opts.logdir ? { logdir: opts.logdir, stderr: opts.debug } : {}) });
  const lines = readInput(opts.file, opts.fn === null);
  const args = opts.fn ? parseArgs(lines, opts.file) : null;
  const total = lines.length;
  const outFd = opts.out ? fs.openSync(opts.out, "w") : 1;
  const out = new OrderedLines(total, outFd);
  const counts: ProgressCounts = { done: 0, failed: 0, total };
  const progress = new RunProgress(counts, process.stderr.isTTY === true, opts.progress);
  const ex = new HighThroughputExecutor(opts.config, { logger: log });
  const stop = () => void ex.shutdown();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    if (opts.endpoint) await ex.connect(opts.endpoint);
    else await ex.start();
    progress.start();
    const submit = ex.detailed(opts.container ? { container: opts.container } : {});
    const modulePath = opts.fn ? path.resolve(opts.fn.module) : "";
    const t0 = Date.now();
    const all: Promise<void>[] = [];
    const settled = new Uint8Array(total);
    const taskIds = new Array<number>(total);
    for (let i = 0; i < total; i++) {
      const p: TaskPromise<TaskOutcome<unknown>> = opts.fn
        ? submit.submitModule(modulePath, opts.fn.exportName, ...args![i]!)
        : submit.submitShell(lines[i]!, opts.timeout !== null ? { timeout: opts.timeout } : {});
      taskIds[i] = p.taskId;
      all.push(p.then(
        (o) => {
          if (settled[i]) return;
          settled[i] = 1;
          const dur = o.startedMs !== undefined && o.endedMs !== undefined ? (o.endedMs - o.startedMs) / 1000 : (Date.now() - t0) / 1000;
          if (opts.fn) {
            counts.done++;
            out.put(i, { index: i, value: o.value, host: o.host ?? null, duration: dur });
          } else {
            const r = o.value as ShellResult;
            if (r.returncode === 0) counts.done++;
            else counts.failed++;
            out.put(i, { index: i, returncode: r.returncode, stdout: r.stdout, stderr: r.stderr, host: o.host ?? null, duration: r.duration_ms / 1000 });
          }
        },
        (err) => {
          if (settled[i]) return;
          settled[i] = 1;
          counts.failed++;
          out.put(i, errorRecord(i, err, Date.now() - t0));
        },
      ));
    }
    // --timeout counts from submission, and every task was submitted now: one deadline for all of them.
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const limit = opts.timeout;
    const timedOut = limit === null ? new Promise<void>(() => {}) : new Promise<void>((resolve) => {
      deadline = setTimeout(() => {
        const late: number[] = [];
        for (let i = 0; i < total; i++) {
          if (settled[i]) continue;
          settled[i] = 1;
          late.push(taskIds[i]!);
          counts.failed++;
          out.put(i, { index: i, returncode: null, error: { name: "TaskTimeout", message: `not done ${limit} s after submission (--timeout)`, code: "E_TASK_TIMEOUT" }, host: null, duration: limit });
        }
        ex.cancel(...late);
        resolve();
      }, limit * 1000);
    });
    await Promise.race([Promise.all(all), timedOut]);
    clearTimeout(deadline);
  } finally {
    progress.stop();
    out.flush();
    if (outFd !== 1) fs.closeSync(outFd);
    await ex.shutdown();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    log.close();
  }
  if (counts.failed > 0) process.stderr.write(`fx run: ${counts.failed} of ${total} task(s) failed\n`);
  return counts.failed > 0 ? 1 : 0;
}
