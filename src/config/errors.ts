/** Errors from reading and validating configs: every problem at once, each with its key path and line. */
import { FxError } from "../util/errors.ts";

export const CONFIG_ERROR_CODES = {
  /** The file could not be read (missing, unreadable). */
  READ: "E_CONFIG_READ",
  /** The text is not TOML; the single problem carries the parser's line and column. */
  PARSE: "E_CONFIG_PARSE",
  /** The TOML (or object, env var, flag) is well-formed but some values are wrong; see `problems`. */
  INVALID: "E_CONFIG_INVALID",
} as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[keyof typeof CONFIG_ERROR_CODES];

export interface ConfigProblem {
  /** Dotted key path, e.g. "executor.heartbeat_period"; "" for the whole file. */
  readonly path: string;
  /** 1-based line in the config file, when the key came from a file and could be located. */
  readonly line?: number;
  readonly column?: number;
  /** Where a value came from when not the file: "env FX_EXECUTOR_MAX_WORKERS", "flag --max-workers". */
  readonly source?: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line !== undefined ? `line ${p.line}${p.column !== undefined ? `:${p.column}` : ""}: ` : "";
  const key = p.path ? `${p.path}: ` : "";
  const from = p.source ? ` (from ${p.source})` : "";
  return `${where}${key}${p.message}${from}`;
}

export class ConfigError extends FxError {
  declare readonly code: ConfigErrorCode;
  readonly problems: readonly ConfigProblem[];
  /** The file, "<stdin>", "<embedded default>" or "<object>" the config came from. */
  readonly origin: string;
  constructor(code: ConfigErrorCode, origin: string, problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    const n = problems.length;
    const head = `config ${origin}: ${n} problem${n === 1 ? "" : "s"}`;
    super(code, `${head}\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`, options);
    this.problems = problems;
    this.origin = origin;
  }
}
