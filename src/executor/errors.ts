/**
 * What an executor's Promises reject with: RemoteError (the task failed remotely, or fx failed it: ManagerLost,
 * WorkerLost, …), InterchangeLost (the endpoint went away), and ExecutorError for local refusals
 * (payload too large, not started, shut down).
 */
import { FxError } from "../util/errors.ts";
import { TASK_ERROR_CODES, type WireError } from "../protocol/index.ts";

export class ExecutorError extends FxError {}

/** A task failed on the remote side. `remoteName` is the remote error class ("TypeError", "ManagerLost", …). */
export class RemoteError extends FxError {
  readonly remoteName: string;
  readonly remoteMessage: string;
  readonly remoteStack: string | undefined;
  readonly host: string | undefined;
  readonly workerId: string | undefined;
  readonly managerId: string | undefined;

  constructor(e: WireError, host?: string, workerId?: string) {
    super(e.code ?? "E_REMOTE", `${e.name}: ${e.message}`);
    this.remoteName = e.name;
    this.remoteMessage = e.message;
    this.remoteStack = e.stack;
    this.host = e.host ?? host;
    this.workerId = e.worker_id ?? workerId;
    this.managerId = e.manager_id;
  }
}

/** The interchange died or stopped answering: every outstanding task fails with this. */
export class InterchangeLost extends ExecutorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(TASK_ERROR_CODES.interchangeLost, message, options);
  }
}

export const EXECUTOR_ERROR_CODES = {
  notStarted: "E_EXECUTOR_NOT_STARTED",
  shutDown: "E_EXECUTOR_SHUT_DOWN",
  startFailed: "E_EXECUTOR_START",
  payloadTooLarge: TASK_ERROR_CODES.payloadTooLarge,
  badArgument: "E_BAD_ARGUMENT",
  command: "E_COMMAND",
  commandTimeout: "E_COMMAND_TIMEOUT",
} as const;
