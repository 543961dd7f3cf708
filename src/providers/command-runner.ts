/**
 * The one seam through which fx runs scheduler CLIs (sbatch, squeue, qsub, bsub, condor_submit, …):
 * an argv array (never a shell string), a timeout (cmd_timeout), captured stdout/stderr, and a coded
 * ProviderError on a non-zero exit, a timeout, or a command that cannot start.
 *
 * Providers receive a `CommandRunner` so tests can replay recorded scheduler output through the same seam.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";

export interface CommandOptions {
  /** Milliseconds before the command is killed (SIGKILL) and a COMMAND_TIMEOUT error is raised. */
  readonly timeoutMs: number;
  /** Written to the command's stdin, then stdin is closed. */
  readonly input?: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolve with the result instead of throwing when the command exits non-zero. */
  readonly allowFailure?: boolean;
}

export interface CommandResult {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandRunner = (argv: readonly string[], opts: CommandOptions) => Promise<CommandResult>;

/** Cap on captured output per stream, so a runaway command cannot exhaust memory. */
const MAX_CAPTURE = 16 * 1024 * 1024;

function tail(s: string, n = 500): string {
  const t = s.trim();
  return t.length > n ? `…${t.slice(-n)}` : t;
}

/** The real runner: spawns argv[0] with argv[1..] directly (no shell). */
export const runCommand: CommandRunner = (argv, opts) =>
  new Promise((resolve, reject) => {
    if (argv.length === 0 || !argv[0]) {
      reject(new ProviderError(C.COMMAND_NOT_FOUND, "empty command argv"));
      return;
    }
    const shown = argv.join(" ");
    if (opts.cwd !== undefined && !fs.existsSync(opts.cwd)) {
      reject(new ProviderError(C.COMMAND_FAILED, `cannot run ${argv[0]}: its working directory ${opts.cwd} does not exist`));
      return;
    }
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), {
        cwd: opts.cwd,
        env: opts.env ? { ...process.env, ...opts.env } : process.env,
        stdio: ["pipe", "pipe", "pipe"],
      });
    } catch (err) {
      reject(new ProviderError(C.COMMAND_NOT_FOUND, `cannot run ${argv[0]}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d: string) => { if (stdout.length < MAX_CAPTURE) stdout += d; });
    child.stderr.on("data", (d: string) => { if (stderr.length < MAX_CAPTURE) stderr += d; });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs);
    child.stdin.on("error", () => { /* the command may exit without reading stdin */ });
    child.stdin.end(opts.input ?? "");
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const code = err.code === "ENOENT" || err.code === "EACCES" ? C.COMMAND_NOT_FOUND : C.COMMAND_FAILED;
      reject(new ProviderError(code, `cannot run ${argv[0]}: ${err.message}`, { cause: err }));
    });
    child.on("close", (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (timedOut) {
        reject(new ProviderError(C.COMMAND_TIMEOUT, `${shown} did not finish within ${opts.timeoutMs / 1000}s (cmd_timeout) and was killed`));
        return;
      }
      const exitCode = code ?? 128;
      const result: CommandResult = { argv: [...argv], exitCode, stdout, stderr };
      if (exitCode !== 0 && !opts.allowFailure) {
        const why = signal ? `was killed by ${signal}` : `exited ${exitCode}`;
        const err = new ProviderError(C.COMMAND_FAILED, `${shown} ${why}: ${tail(stderr) || tail(stdout) || "(no output)"}`);
        Object.assign(err, { result });
        reject(err);
        return;
      }
      resolve(result);
    });
  });
