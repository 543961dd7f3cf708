/**
 * The manager's walltime: when its block ends and when it stops taking tasks. Pure functions of the numbers
 * and `now`; the manager calls them from its housekeeping tick.
 */
import { defaultWalltimeDrainMs } from "../scaling/config.ts";

export interface ManagerWalltime {
  /** When the block ends, ms since epoch (the manager's start + its --walltime: conservative). */
  readonly endMs: number;
  /** How long before the end it stops asking for tasks and finishes what it holds. */
  readonly drainMs: number;
}

/**
 * From `--walltime` (seconds) and `--walltime-drain` (seconds, null = a tenth of the walltime, 5 s … 2 min),
 * counted from `startMs`; null when the manager has no walltime (started by hand).
 */
export function managerWalltime(startMs: number, walltimeS: number | null, drainS: number | null): ManagerWalltime | null {
  if (walltimeS === null) return null;
  return { endMs: startMs + walltimeS * 1000, drainMs: drainS !== null ? drainS * 1000 : defaultWalltimeDrainMs(walltimeS) };
}

/** Whether the drain period before the walltime end has begun at `now`. */
export function walltimeDrainDue(w: ManagerWalltime | null, now: number): boolean {
  return w !== null && w.endMs - now <= w.drainMs;
}

/** `--walltime`: plain seconds ("90", "1.5") or HH:MM:SS / MM:SS (hours may exceed 24); null when not valid. */
export function parseWalltimeFlag(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const m = /^(?:(\d+):)?(\d+):(\d+)$/.exec(t);
  if (!m) return null;
  const [h, mi, s] = [Number(m[1] ?? 0), Number(m[2]), Number(m[3])];
  if (mi >= 60 && m[1] !== undefined) return null;
  if (s >= 60) return null;
  return h * 3600 + mi * 60 + s;
}
