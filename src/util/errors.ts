/**
 * Base of every error fx raises on purpose: a stable machine-readable `code`, a readable message,
 * and the `cause` that led to it. Each layer derives its own class (ZmtpError, ProtocolError, ConfigError, …).
 */
export class FxError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A user-facing problem with how fx was invoked (flags, files). The CLI maps it to exit code 2. */
export class UsageError extends FxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_USAGE", message, options);
  }
}

/** The message of any thrown value, for logs. */
export function describeError(err: unknown): string {
  if (err instanceof FxError) return `${err.message} [${err.code}]`;
  if (err instanceof Error) return err.message;
  return String(err);
}
