/**
 * Linux's parent-death signal (prctl PR_SET_PDEATHSIG) through bun:ffi: the kernel signals this worker the
 * moment its parent (the manager) dies — even while a CPU-bound task blocks the event loop, where no timer or
 * socket event could notice. SIGKILL while only JS runs; SIGTERM while shell tasks run, so the worker's handler
 * can take their process groups along. Best effort: elsewhere (no libc, not Linux) it reports false and the
 * channel/ppid checks in run.ts remain.
 */
import os from "node:os";

const PR_SET_PDEATHSIG = 1;
type Prctl = (option: number, arg2: bigint, arg3: bigint, arg4: bigint, arg5: bigint) => number;
let prctl: Prctl | null | undefined;

async function load(): Promise<Prctl | null> {
  if (prctl !== undefined) return prctl;
  prctl = null;
  if (process.platform !== "linux") return null;
  try {
    const { dlopen, FFIType } = await import("bun:ffi");
    const lib = dlopen("libc.so.6", { prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 } });
    prctl = lib.symbols.prctl as unknown as Prctl;
  } catch {
    prctl = null;
  }
  return prctl;
}

/** Prepare the FFI binding once (async import); afterwards setParentDeathSignal is synchronous. */
export async function initParentDeath(): Promise<boolean> {
  return (await load()) !== null;
}

/** Ask the kernel to send `signal` (name) when our parent dies. False when unavailable. */
export function setParentDeathSignal(signal: "SIGKILL" | "SIGTERM"): boolean {
  if (!prctl) return false;
  const n = os.constants.signals[signal];
  try {
    return prctl(PR_SET_PDEATHSIG, BigInt(n), 0n, 0n, 0n) === 0;
  } catch {
    return false;
  }
}
