/**
 * apptainer_reuse end to end: executor library ↔ compiled dist/fx, workers inside apptainer containers (sandbox
 * directory images), two images at once, each task in the image it names, containers reused across tasks.
 * Skips with a reason when apptainer or the test root filesystems are absent (scripts/setup-test-env.d/apptainer.sh).
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import type { HighThroughputExecutor } from "../../src/index.ts";
import { executorFor, tempDir, usePipelineFixture } from "../helpers/pipeline.ts";

const CACHE = process.env.FX_IMAGE_CACHE ?? "/var/cache/fx-test-images";
const A = `${CACHE}/rootfs-fx-test-a`;
const B = `${CACHE}/rootfs-fx-test-b`;

function skipReason(): string | null {
  if (!Bun.which("apptainer")) return "apptainer is not installed (scripts/setup-test-env.d/apptainer.sh)";
  if (!fs.existsSync(`${A}/etc/fx-image`) || !fs.existsSync(`${B}/etc/fx-image`)) return `test root filesystems missing under ${CACHE}`;
  const p = Bun.spawnSync(["apptainer", "exec", A, "/bin/true"], { stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) return `apptainer cannot run containers here: ${p.stderr.toString().trim().split("\n").at(-1)}`;
  return null;
}
const reason = skipReason();
if (reason) console.warn(`apptainer e2e skipped: ${reason}`);
const suite = reason ? describe.skip : describe;

let dir = "";
let ex: HighThroughputExecutor | null = null;
usePipelineFixture(
  () => ({ dir, ex }),
  () => {
    dir = "";
    ex = null;
  },
  60_000,
);

suite("apptainer worker mode (executor ↔ dist/fx)", () => {
  test("apptainer_reuse: two images at once, tasks routed by image, containers reused across tasks", async () => {
    dir = tempDir("ctr-appt");
    ex = executorFor(dir, { executor: { worker_mode: "apptainer_reuse", scheduler_mode: "soft", max_workers: 2 } });
    await ex.start();
    const images = [A, B, A, B, A, B];
    const rs = await Promise.all(images.map((img) => ex!.with({ container: img }).submitShell(["/bin/cat", "/etc/fx-image"])));
    rs.forEach((r, i) => {
      expect(r.returncode).toBe(0);
      expect(r.stdout).toBe(images[i] === A ? "a\n" : "b\n");
    });
    // Reuse: tasks one after another are run by one and the same worker process inside the container
    // (apptainer shares the host's pid namespace: the shell's parent is the worker), not on the host.
    const host = fs.readlinkSync("/proc/self/ns/mnt");
    const again: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await ex.with({ container: A }).submitShell(["/bin/sh", "-c", "cat /etc/fx-image; echo $(readlink /proc/self/ns/mnt)@$PPID"]);
      const [marker = "", id = ""] = r.stdout.trim().split("\n");
      expect(marker).toBe("a");
      expect(id.startsWith(`${host}@`)).toBe(false);
      again.push(id);
    }
    expect(new Set(again).size).toBe(1);
  }, 180_000);
});
