/** Failures fx itself reports about one task on the worker (bad body, timeout, missing export…). */
import { FxError } from "../util/errors.ts";
import { TASK_ERROR_NAMES, type TaskErrorCode } from "../protocol/errors.ts";

export class TaskError extends FxError {
  constructor(code: TaskErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = TASK_ERROR_NAMES[code];
  }
}
