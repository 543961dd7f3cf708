/**
 * Errors of the container layer. Codes are stable; messages name the image and the runtime.
 *   E_IMAGE_NOT_ALLOWED  a task or config named an image outside containers.allowed_images (refused at submit)
 *   E_CONTAINER_START    the runtime ran but the fx binary could not start inside the image
 *   E_CONTAINER_RUNTIME  the runtime itself is missing or failed before the container started
 *   E_WORKER_MODE        an unknown worker_mode string
 *   E_CONTAINER_ARGS     an invalid argv input (an image starting with "-", a bind path with ":")
 */
import { FxError } from "../util/errors.ts";

export const CONTAINER_ERROR_CODES = {
  IMAGE_NOT_ALLOWED: "E_IMAGE_NOT_ALLOWED",
  START: "E_CONTAINER_START",
  RUNTIME: "E_CONTAINER_RUNTIME",
  WORKER_MODE: "E_WORKER_MODE",
  ARGS: "E_CONTAINER_ARGS",
} as const;
export type ContainerErrorCode = (typeof CONTAINER_ERROR_CODES)[keyof typeof CONTAINER_ERROR_CODES];

export interface ContainerErrorDetails {
  readonly image?: string;
  readonly runtime?: string;
  /** Last lines of the runtime's stderr, when a start failed. */
  readonly stderrTail?: string;
  readonly exitCode?: number | null;
}

export class ContainerError extends FxError {
  declare readonly code: ContainerErrorCode;
  readonly details: ContainerErrorDetails;
  constructor(code: ContainerErrorCode, message: string, details: ContainerErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, message, options);
    this.details = details;
  }
}
