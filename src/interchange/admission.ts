/**
 * Whether the interchange accepts a submitted task, as a pure function: shutting down, payload over
 * max_payload_bytes, image not in containers.allowed_images, a container image nothing can run (worker_mode
 * "no_container" and no connected manager lists the type), or a declared duration no block this endpoint starts
 * has time for and no connected manager has time left for: both would wait forever. Null = accepted.
 */
import { checkImageAllowed } from "../containers/allow-list.ts";
import { RAW_TASK_TYPE, TASK_ERROR_CODES, type WireTask } from "../protocol/index.ts";
import { laneOf, laneOutlastsBlocks, type Lane } from "./dispatch.ts";

export interface AdmissionRules {
  readonly closedReason: string | null;
  readonly maxPayloadBytes: number;
  readonly allowedImages: readonly string[];
  readonly workerMode: string;
  /** Some connected manager can run this task type. */
  canServe(taskType: string): boolean;
  /** Walltime of the blocks this interchange starts, seconds (Infinity: none, as with the local provider). */
  readonly blockWalltimeS: number;
  /** Some connected manager could take tasks of this lane now (no walltime end, or enough time left). */
  hasTimeFor(lane: Lane): boolean;
}

export interface Refusal {
  readonly code: string;
  readonly message: string;
}

export function admit(t: WireTask, r: AdmissionRules): Refusal | null {
  if (r.closedReason !== null) return { code: TASK_ERROR_CODES.shutdown, message: `interchange is shutting down (${r.closedReason})` };
  if (t.payload.length > r.maxPayloadBytes) {
    return { code: TASK_ERROR_CODES.payloadTooLarge, message: `task payload of ${t.payload.length} bytes exceeds max_payload_bytes (${r.maxPayloadBytes})` };
  }
  const tooLong = checkDuration(t, r);
  if (tooLong !== null) return tooLong;
  if (t.task_type === RAW_TASK_TYPE) return null;
  // Also refuses, whatever the list, a name a container runtime would read as an option ("-…") or that is empty.
  const denied = checkImageAllowed(t.task_type, r.allowedImages);
  if (denied !== null) return { code: TASK_ERROR_CODES.imageNotAllowed, message: denied.message };
  if (r.workerMode === "no_container" && !r.canServe(t.task_type)) {
    return {
      code: TASK_ERROR_CODES.imageNotAllowed,
      message: `no worker can run container image ${JSON.stringify(t.task_type)}: executor.worker_mode is "no_container" (set a container worker_mode, e.g. "podman_reuse")`,
    };
  }
  return null;
}

/** A declared duration that fits no block: the blocks' walltime is counted from their manager's start. */
function checkDuration(t: WireTask, r: AdmissionRules): Refusal | null {
  if (t.duration === undefined || !Number.isFinite(r.blockWalltimeS)) return null;
  const { lane } = laneOf(t.task_type, t.duration);
  if (!laneOutlastsBlocks(lane, r.blockWalltimeS) || r.hasTimeFor(lane)) return null;
  const seconds = lane.seconds;
  const counted = seconds !== t.duration ? ` (counted as ${seconds} s: declared durations are rounded up to two significant digits)` : "";
  return {
    code: TASK_ERROR_CODES.badTask,
    message: `task declares a duration of ${t.duration} s${counted}, but the blocks this endpoint starts run for ${r.blockWalltimeS} s (provider.walltime) and no connected manager has that much time left: it could never run; declare a shorter duration or raise provider.walltime`,
  };
}
