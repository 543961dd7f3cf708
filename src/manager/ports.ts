/**
 * The narrow interfaces the manager core talks through, so its logic is testable without processes or
 * sockets and the I/O shell (manager-io.ts) stays thin.
 */

import type { EncodedMessage } from "../protocol/messages.ts";

/** The task + result channels to the interchange (two DEALERs in production). */
export interface InterchangePort {
  /** Task channel: register, request, heartbeat (never attachments). */
  sendTask(msg: Uint8Array): void;
  sendResult(msg: EncodedMessage): void;
}

/** The worker channel (a ROUTER in production): address a worker by its id. */
export interface WorkerPort {
  /** False when the worker is not connected (the message is dropped). */
  sendTo(workerId: string, msg: EncodedMessage): boolean;
}

/** Starts and stops worker processes (the one place that spawns them). */
export interface WorkerLauncher {
  /** Start one worker; its exit is reported to the manager's onWorkerExit. */
  start(workerId: string, type: string): { pid: number };
  /** Ask the process to stop (SIGTERM); `force` kills it (SIGKILL). Unknown ids are ignored. */
  signal(workerId: string, force: boolean): void;
  /** The worker said hello (container launchers stop treating an exit as a start failure). */
  registered(workerId: string): void;
  /** Ids of workers whose process is still alive. */
  alive(): string[];
}
