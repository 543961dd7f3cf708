/** Walltimes as schedulers write them ("HH:MM:SS", "MM:SS", "D-HH:MM:SS", "MM") ↔ seconds. */
import { ProviderError, PROVIDER_ERROR_CODES as C } from "./errors.ts";

const FORM = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/;

/** Seconds in a walltime string; throws ProviderError(CONFIG) on anything else. */
export function parseWalltime(text: string): number {
  const m = FORM.exec(text.trim());
  if (!m) throw new ProviderError(C.CONFIG, `walltime "${text}" is not HH:MM:SS (or D-HH:MM:SS, MM:SS)`);
  const days = m[1] ? Number(m[1]) : 0;
  const parts = [m[2], m[3], m[4]].filter((p): p is string => p !== undefined).map(Number);
  let seconds: number;
  if (m[1]) {
    // Slurm: D-HH, D-HH:MM, D-HH:MM:SS
    const [h = 0, mi = 0, s = 0] = parts;
    seconds = h * 3600 + mi * 60 + s;
  } else if (parts.length === 3) seconds = parts[0]! * 3600 + parts[1]! * 60 + parts[2]!;
  else if (parts.length === 2) seconds = parts[0]! * 60 + parts[1]!;
  else seconds = parts[0]! * 60; // a bare number is minutes (Slurm, PBS walltime=MM is rare but legal)
  return days * 86400 + seconds;
}

/** Seconds → "HH:MM:SS" (hours may exceed 24). */
export function formatWalltime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Minutes, rounded up (LSF's -W and HTCondor's runtime budget use minutes). */
export function walltimeMinutes(text: string): number {
  return Math.max(1, Math.ceil(parseWalltime(text) / 60));
}
