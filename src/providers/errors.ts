/** Errors from providers: scheduler commands, submit-script templates, scheduler output we cannot read. */
import { FxError } from "../util/errors.ts";

export const PROVIDER_ERROR_CODES = {
  /** A scheduler command exited non-zero. */
  COMMAND_FAILED: "E_PROVIDER_COMMAND_FAILED",
  /** A scheduler command ran longer than cmd_timeout and was killed. */
  COMMAND_TIMEOUT: "E_PROVIDER_COMMAND_TIMEOUT",
  /** A scheduler command could not be started at all (not installed, not executable). */
  COMMAND_NOT_FOUND: "E_PROVIDER_COMMAND_NOT_FOUND",
  /** A submit-script template lacks values for some of its variables. */
  TEMPLATE: "E_PROVIDER_TEMPLATE",
  /** Scheduler output we could not make sense of (e.g. sbatch printed no job id). */
  PARSE: "E_PROVIDER_PARSE",
  /** A provider or launcher setting that cannot work (bad walltime, unknown type, …). */
  CONFIG: "E_PROVIDER_CONFIG",
  /** Starting a local block failed (spawn error, unwritable logdir). */
  SPAWN: "E_PROVIDER_SPAWN",
} as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[keyof typeof PROVIDER_ERROR_CODES];

export class ProviderError extends FxError {
  declare readonly code: ProviderErrorCode;
  constructor(code: ProviderErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
