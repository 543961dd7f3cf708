/**
 * One small logger: levels, an optional per-role file in logdir, `--debug`. Lines are
 * `2026-11-24T20:44:00.123Z INFO  interchange: message key=value`. Hot paths must not log per task at INFO.
 */
import fs from "node:fs";
import path from "node:path";

export const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** True when debug lines would be written: guard expensive debug formatting with it. */
  readonly debugEnabled: boolean;
  child(name: string): Logger;
  close(): void;
}

export interface LoggerOptions {
  name: string;
  level?: LogLevel;
  /** Directory for `<name>.log`; created if missing. Without it, lines go to stderr only. */
  logdir?: string;
  /** Also write to stderr when a logdir is set. Default: true without logdir, false with one. */
  stderr?: boolean;
}

function formatFields(fields?: Record<string, unknown>): string {
  if (!fields) return "";
  let s = "";
  for (const [k, v] of Object.entries(fields)) {
    const text = typeof v === "string" ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : v instanceof Error ? JSON.stringify(v.message) : JSON.stringify(v);
    s += ` ${k}=${text}`;
  }
  return s;
}

class LineLogger implements Logger {
  constructor(
    private readonly name: string,
    private readonly min: number,
    private readonly sinks: { fd: number; owned: boolean }[],
  ) {}

  get debugEnabled(): boolean {
    return this.min <= LEVELS.debug;
  }

  private write(level: Exclude<LogLevel, "silent">, msg: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < this.min) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${this.name}: ${msg}${formatFields(fields)}\n`;
    for (const s of this.sinks) {
      try {
        fs.writeSync(s.fd, line);
      } catch {
        // a closed stderr or a full disk must never take a role down
      }
    }
  }
  debug(msg: string, f?: Record<string, unknown>) { this.write("debug", msg, f); }
  info(msg: string, f?: Record<string, unknown>) { this.write("info", msg, f); }
  warn(msg: string, f?: Record<string, unknown>) { this.write("warn", msg, f); }
  error(msg: string, f?: Record<string, unknown>) { this.write("error", msg, f); }
  child(name: string): Logger {
    return new LineLogger(`${this.name}.${name}`, this.min, this.sinks.map((s) => ({ fd: s.fd, owned: false })));
  }
  close(): void {
    for (const s of this.sinks) if (s.owned) { try { fs.closeSync(s.fd); } catch { /* already closed */ } }
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  const min = LEVELS[opts.level ?? "info"];
  const sinks: { fd: number; owned: boolean }[] = [];
  if (opts.logdir) {
    fs.mkdirSync(opts.logdir, { recursive: true });
    sinks.push({ fd: fs.openSync(path.join(opts.logdir, `${opts.name}.log`), "a"), owned: true });
  }
  if (opts.stderr ?? !opts.logdir) sinks.push({ fd: 2, owned: false });
  return new LineLogger(opts.name, min, sinks);
}

/** A logger that writes nothing (tests, libraries embedded quietly). */
export const silentLogger: Logger = createLogger({ name: "silent", level: "silent", stderr: false });
