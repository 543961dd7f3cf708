/**
 * Turning a container that died before its worker registered into a clear error.
 *
 *   classifyStartFailure({ runtime, image, exitCode, signal, stderr }) → ContainerError (E_CONTAINER_START)
 *   spawnFailure(runtime, image, err) → ContainerError (E_CONTAINER_RUNTIME) when the runtime binary can't run
 *   stderrTail(text, lines?) → the last lines, trimmed, for messages
 *
 * The message names the image, the runtime, the exit status, a hint for the known causes, and the stderr tail:
 *   - "exec format error"                    → the image's architecture or the binary format doesn't fit
 *   - "no such file or directory" on exec    → no glibc ELF interpreter: musl/busybox-only image (runc's words;
 *     apptainer says "a shared library is likely missing in the image")
 *   - "GLIBC_2.x not found"                  → the image's glibc is older than fx needs (2.17)
 *   - "image not known", "manifest unknown"… → the image isn't available to the runtime
 */
import { ContainerError, CONTAINER_ERROR_CODES } from "./errors.ts";
import { FX_IN_CONTAINER } from "./runtime.ts";

export const MIN_GLIBC = "2.17";

export interface StartFailureInput {
  readonly runtime: string;
  readonly image: string;
  readonly exitCode: number | null;
  readonly signal?: string | null;
  readonly stderr: string;
}

export function stderrTail(text: string, lines = 8): string {
  return text.trim().split(/\r?\n/).slice(-lines).join("\n").slice(-2000);
}

export function startFailureHint(stderr: string): string {
  const s = stderr.toLowerCase();
  if (s.includes("exec format error")) {
    return "the fx binary's format does not fit the image (wrong CPU architecture?)";
  }
  if (/glibc_[0-9.]+'? not found/.test(s)) {
    return `the image's glibc is too old: fx needs glibc >= ${MIN_GLIBC}`;
  }
  if (/image not known|manifest unknown|no such image|unable to find image|pull access denied|initializing source|failed to pull|could not open image|not a valid image|no such file or directory.*\.sif/.test(s)) {
    return "the image is not available to the runtime (not pulled/built, wrong name or path)";
  }
  if (s.includes("no such file or directory") || s.includes("not found") || s.includes("shared library is likely missing")) {
    return `the fx binary could not be executed at ${FX_IN_CONTAINER}: the image needs a glibc userland ` +
      `(/lib64/ld-linux-x86-64.so.2, libc.so.6 >= ${MIN_GLIBC}, libm, libpthread, libdl); musl or busybox-only images can't run it`;
  }
  if (s.includes("permission denied")) {
    return "permission denied: the runtime could not mount or execute the fx binary";
  }
  return "the container exited before its worker registered";
}

export function classifyStartFailure(f: StartFailureInput): ContainerError {
  const status = f.signal ? `signal ${f.signal}` : `exit code ${f.exitCode ?? "?"}`;
  const tail = stderrTail(f.stderr);
  const hint = startFailureHint(f.stderr);
  return new ContainerError(CONTAINER_ERROR_CODES.START,
    `container for image "${f.image}" (${f.runtime}) failed to start a worker (${status}): ${hint}` +
      (tail ? `\n--- ${f.runtime} stderr (tail) ---\n${tail}` : ""),
    { image: f.image, runtime: f.runtime, stderrTail: tail, exitCode: f.exitCode });
}

export function spawnFailure(runtime: string, image: string, err: unknown): ContainerError {
  const msg = err instanceof Error ? err.message : String(err);
  const missing = /ENOENT|not found|no such file/i.test(msg);
  return new ContainerError(CONTAINER_ERROR_CODES.RUNTIME,
    missing ? `container runtime "${runtime}" is not installed or not on PATH (needed for image "${image}")`
      : `container runtime "${runtime}" could not be started for image "${image}": ${msg}`,
    { image, runtime }, { cause: err });
}
