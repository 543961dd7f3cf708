/**
 * Walltime-aware dispatch: whether a block may take a task now. A block within the drain period of its
 * walltime end takes nothing more, and no task whose declared duration exceeds the block's remaining time.
 */
import type { ScalingConfig } from "./config.ts";
import type { BlockRecord } from "./state.ts";

export type TaskFit = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function taskFitsBlock(
  block: Pick<BlockRecord, "heldAt" | "endsAt" | "cancelRequestedAt">,
  now: number,
  cfg: Pick<ScalingConfig, "walltimeDrainMs">,
  durationSeconds?: number,
): TaskFit {
  if (block.heldAt !== null || block.cancelRequestedAt !== null) return { ok: false, reason: "block is held for scale-in" };
  if (block.endsAt === null) return { ok: true };
  const remaining = block.endsAt - now;
  if (remaining <= cfg.walltimeDrainMs) return { ok: false, reason: `block walltime ends in ${Math.max(0, Math.round(remaining / 1000))}s (drain period)` };
  if (durationSeconds !== undefined && durationSeconds * 1000 > remaining) {
    return { ok: false, reason: `task needs ${durationSeconds}s, block has ${Math.round(remaining / 1000)}s of walltime left` };
  }
  return { ok: true };
}
