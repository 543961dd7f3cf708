/**
 * Whether the podman container tests can run here, and why not. Set up by scripts/setup-test-env.d/podman.sh
 * (rootful podman + the localhost/fx-test-* images); tests skip with this reason when it is missing.
 */
import fs from "node:fs";
import path from "node:path";

export const FX_BIN = path.resolve(import.meta.dir, "../../../dist/fx");
export const IMAGE_A = "localhost/fx-test-a:latest";
export const IMAGE_B = "localhost/fx-test-b:latest";
export const IMAGE_NOGLIBC = "localhost/fx-test-noglibc:latest";

function run(argv: string[]): { ok: boolean; out: string } {
  try {
    const p = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
    return { ok: p.exitCode === 0, out: `${p.stdout.toString()}${p.stderr.toString()}` };
  } catch (err) {
    return { ok: false, out: String(err) };
  }
}

function probe(): string | null {
  if (!fs.existsSync(FX_BIN)) return "dist/fx is not built (run scripts/build)";
  if (!Bun.which("podman")) return "podman is not installed (scripts/setup-test-env.d/podman.sh installs it as root)";
  for (const img of [IMAGE_A, IMAGE_B, IMAGE_NOGLIBC]) {
    if (!run(["podman", "image", "exists", img]).ok) return `test image ${img} is missing (scripts/images/build-test-images.sh)`;
  }
  const r = run(["podman", "run", "--rm", "--network", "host", IMAGE_A, "/bin/true"]);
  if (!r.ok) return `podman cannot run containers here: ${r.out.trim().split("\n").slice(-1)[0]}`;
  return null;
}

/** null when podman tests can run, else the reason they skip. */
export const podmanSkipReason: string | null = probe();
if (podmanSkipReason) console.warn(`container tests skipped: ${podmanSkipReason}`);

export function uniqueName(tag: string): string {
  return `fx-test-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Names of containers (running or not) whose name starts with `prefix`. */
export function containersNamed(prefix: string): string[] {
  const r = run(["podman", "ps", "-a", "--format", "{{.Names}}"]);
  return r.out.split("\n").map((s) => s.trim()).filter((n) => n.startsWith(prefix));
}
