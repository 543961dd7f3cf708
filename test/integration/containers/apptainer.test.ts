/**
 * apptainer: the argv from containerWorkerArgv runs the host's dist/fx inside a sandbox-directory image (host
 * network and /tmp shared), and a glibc-less image gives E_CONTAINER_START. Skips when apptainer is absent
 * (scripts/setup-test-env.d/apptainer.sh installs it as root).
 */
import { afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import { containerWorkerArgv } from "../../../src/containers/runtime.ts";
import { spawnContainerWorker, type ContainerWorkerProcess } from "../../../src/containers/launch.ts";
import { FX_BIN } from "./podman-env.ts";

const CACHE = process.env.FX_IMAGE_CACHE ?? "/var/cache/fx-test-images";
const ROOTFS_A = `${CACHE}/rootfs-fx-test-a`;
const ROOTFS_NOGLIBC = `${CACHE}/rootfs-fx-test-noglibc`;

function skipReason(): string | null {
  if (!fs.existsSync(FX_BIN)) return "dist/fx is not built";
  const bin = Bun.which("apptainer");
  if (!bin) return "apptainer is not installed (scripts/setup-test-env.d/apptainer.sh)";
  if (!fs.existsSync(ROOTFS_A) || !fs.existsSync(ROOTFS_NOGLIBC)) return `test root filesystems missing under ${CACHE}`;
  const p = Bun.spawnSync(["apptainer", "exec", ROOTFS_A, "/bin/true"], { stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) return `apptainer cannot run containers here: ${p.stderr.toString().trim().split("\n").at(-1)}`;
  return null;
}
const reason = skipReason();
if (reason) console.warn(`apptainer tests skipped: ${reason}`);
const suite = reason ? describe.skip : describe;
const live: ContainerWorkerProcess[] = [];
afterEach(async () => {
  await Promise.all(live.splice(0).map((c) => c.stop(1000)));
}, 30_000);

suite("apptainer: the fx binary inside a container", () => {
  for (const mode of ["apptainer_reuse", "apptainer_single_use", "singularity_reuse"] as const) {
    test(`${mode} argv runs the bind-mounted dist/fx in the image`, async () => {
      const argv = containerWorkerArgv({ mode, image: ROOTFS_A, workerArgv: ["--version"], fxBinaryPath: FX_BIN });
      const p = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
      const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
      expect(code).toBe(0);
      expect(out).toMatch(/^fx \d+\.\d+\.\d+/);
    });
  }

  test("the image's own files are seen, and the host's /tmp is shared (an ipc socket dir would be reachable)", async () => {
    const dir = fs.mkdtempSync("/tmp/fx-appt-");
    fs.writeFileSync(`${dir}/probe`, "host\n");
    const p = Bun.spawn(["apptainer", "exec", ROOTFS_A, "/bin/sh", "-c", `cat /etc/fx-image ${dir}/probe`], { stdout: "pipe", stderr: "ignore" });
    const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
    expect(out).toBe("a\nhost\n");
  });

  test("a busybox-only image → E_CONTAINER_START with the glibc hint", async () => {
    const cw = spawnContainerWorker({ mode: "apptainer_reuse", image: ROOTFS_NOGLIBC, workerArgv: ["worker"], fxBinaryPath: FX_BIN });
    live.push(cw);
    const exit = await cw.exited;
    expect(exit.startError?.code).toBe("E_CONTAINER_START");
    expect(exit.startError?.message).toContain("(apptainer)");
    expect(exit.startError?.message).toContain("glibc userland");
  });

  test("a missing image file → E_CONTAINER_START saying the image is not available", async () => {
    const cw = spawnContainerWorker({ mode: "apptainer_single_use", image: "/nonexistent/fx-test.sif", workerArgv: ["worker"], fxBinaryPath: FX_BIN });
    live.push(cw);
    const exit = await cw.exited;
    expect(exit.startError?.code).toBe("E_CONTAINER_START");
    expect(exit.startError?.message).toContain("not available");
  });
});
