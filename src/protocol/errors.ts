/** Errors of the fx protocol layer and the failure codes that travel in WireError.code. */
import { FxError } from "../util/errors.ts";

export class ProtocolError extends FxError {}

/** Stable codes for failures fx itself reports about a task. */
export const TASK_ERROR_CODES = {
  managerLost: "E_MANAGER_LOST",
  workerLost: "E_WORKER_LOST",
  interchangeLost: "E_INTERCHANGE_LOST",
  timeout: "E_TASK_TIMEOUT",
  cancelled: "E_CANCELLED",
  payloadTooLarge: "E_PAYLOAD_TOO_LARGE",
  imageNotAllowed: "E_IMAGE_NOT_ALLOWED",
  badTask: "E_BAD_TASK",
  containerStart: "E_CONTAINER_START",
  shutdown: "E_SHUTDOWN",
} as const;
export type TaskErrorCode = (typeof TASK_ERROR_CODES)[keyof typeof TASK_ERROR_CODES];

/** The error-class names the executor shows for those codes (funcX/Parsl names where they exist). */
export const TASK_ERROR_NAMES: Readonly<Record<TaskErrorCode, string>> = {
  E_MANAGER_LOST: "ManagerLost",
  E_WORKER_LOST: "WorkerLost",
  E_INTERCHANGE_LOST: "InterchangeLost",
  E_TASK_TIMEOUT: "TaskTimeout",
  E_CANCELLED: "TaskCancelled",
  E_PAYLOAD_TOO_LARGE: "PayloadTooLarge",
  E_IMAGE_NOT_ALLOWED: "ImageNotAllowed",
  E_BAD_TASK: "BadTask",
  E_CONTAINER_START: "ContainerStartError",
  E_SHUTDOWN: "ShutdownRequest",
};
