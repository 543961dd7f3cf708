/**
 * The argv from containerWorkerArgv really starts the host's dist/fx inside podman (bind-mounted read-only,
 * nothing installed in the image), reuse- and single-use-style; a glibc-less image gives E_CONTAINER_START;
 * stop() leaves no container behind. Skips with a reason when podman or the test images are absent.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { containerWorkerArgv, FX_IN_CONTAINER } from "../../../src/containers/runtime.ts";
import { spawnContainerWorker, type ContainerWorkerProcess } from "../../../src/containers/launch.ts";
import { containersNamed, FX_BIN, IMAGE_A, IMAGE_B, IMAGE_NOGLIBC, podmanSkipReason, uniqueName } from "./podman-env.ts";

const suite = podmanSkipReason ? describe.skip : describe;
const live: ContainerWorkerProcess[] = [];
const names: string[] = [];

afterEach(async () => {
  await Promise.all(live.splice(0).map((c) => c.stop(1000)));
  for (const n of names.splice(0)) Bun.spawnSync(["podman", "rm", "--force", "--time", "0", n], { stdout: "ignore", stderr: "ignore" });
}, 30_000);

async function runArgv(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

suite("podman: the fx binary inside a container", () => {
  test("podman_reuse argv runs the bind-mounted dist/fx in the image", async () => {
    const name = uniqueName("reuse");
    names.push(name);
    const argv = containerWorkerArgv({ mode: "podman_reuse", image: IMAGE_A, workerArgv: ["--version"], fxBinaryPath: FX_BIN, name });
    expect(argv).toContain(`${FX_BIN}:${FX_IN_CONTAINER}:ro`);
    const r = await runArgv(argv);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^fx \d+\.\d+\.\d+ \(protocol \d+\)/);
  });

  test("podman_single_use argv runs once and the container is removed afterwards", async () => {
    const name = uniqueName("single");
    names.push(name);
    const argv = containerWorkerArgv({ mode: "podman_single_use", image: IMAGE_B, workerArgv: ["--version"], fxBinaryPath: FX_BIN, name });
    expect(argv.at(-1)).toBe("--single-use");
    const r = await runArgv(argv);
    expect(r.code).toBe(0);
    expect(r.out).toContain("fx ");
    expect(containersNamed(name)).toEqual([]);
  });

  test("the two test images are distinguishable from inside (marker file, os-release)", async () => {
    for (const [img, letter] of [[IMAGE_A, "a"], [IMAGE_B, "b"]] as const) {
      const r = await runArgv(["podman", "run", "--rm", "--network", "host", img, "/bin/sh", "-c", "cat /etc/fx-image; grep ^ID= /etc/os-release"]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`${letter}\nID=fx-test-${letter}\n`);
    }
  });

  test("bind mounts and env reach the container", async () => {
    const dir = `/tmp/${uniqueName("bind")}`;
    await Bun.write(`${dir}/hello.txt`, "from the host\n");
    const name = uniqueName("env");
    names.push(name);
    const argv = containerWorkerArgv({
      mode: "podman_reuse", image: IMAGE_A, workerArgv: [], fxBinaryPath: FX_BIN, name,
      bindMounts: [{ source: dir, target: "/data", readOnly: true }], setEnv: { FX_PROBE: "42" },
      templates: { podman: ["podman", "run", "--rm", "--network", "host", "--name", "{name}", "{binds}", "{env}", "{image}", "/bin/sh", "-c", "cat /data/hello.txt; echo $FX_PROBE", "{worker_args}"] },
    });
    const r = await runArgv(argv);
    expect(r.out).toBe("from the host\n42\n");
    Bun.spawnSync(["rm", "-rf", dir]);
  });
});

suite("podman: start failures and clean-up", () => {
  test("a busybox-only image (no glibc) → E_CONTAINER_START naming image, runtime and the glibc requirement", async () => {
    const name = uniqueName("noglibc");
    names.push(name);
    const cw = spawnContainerWorker({ mode: "podman_reuse", image: IMAGE_NOGLIBC, workerArgv: ["worker"], fxBinaryPath: FX_BIN, name });
    live.push(cw);
    const exit = await cw.exited;
    expect(exit.exitCode).not.toBe(0);
    expect(exit.startError?.code).toBe("E_CONTAINER_START");
    expect(exit.startError?.message).toContain(IMAGE_NOGLIBC);
    expect(exit.startError?.message).toContain("(podman)");
    expect(exit.startError?.message).toContain("glibc userland");
    expect(exit.startError?.details.stderrTail).toContain("no such file or directory");
  });

  test("an image the runtime doesn't have → E_CONTAINER_START saying the image is not available", async () => {
    const name = uniqueName("missing");
    names.push(name);
    const cw = spawnContainerWorker({ mode: "podman_single_use", image: "localhost/fx-test-does-not-exist:nope", workerArgv: ["worker"],
      fxBinaryPath: FX_BIN, name, extraArgs: ["--pull", "never"] });
    live.push(cw);
    const exit = await cw.exited;
    expect(exit.startError?.code).toBe("E_CONTAINER_START");
    expect(exit.startError?.message).toContain("not available");
  });

  test("an exit after registration is not a start failure", async () => {
    const name = uniqueName("ok");
    names.push(name);
    const cw = spawnContainerWorker({ mode: "podman_reuse", image: IMAGE_A, workerArgv: ["--version"], fxBinaryPath: FX_BIN, name });
    live.push(cw);
    cw.markRegistered();
    const exit = await cw.exited;
    expect(exit.exitCode).toBe(0);
    expect(exit.startError).toBeNull();
  });

  test("stop() of a container ignoring SIGTERM kills it and leaves no container behind", async () => {
    const name = uniqueName("stop");
    names.push(name);
    const lines: string[] = [];
    const cw = spawnContainerWorker({
      mode: "podman_reuse", image: IMAGE_A, workerArgv: [], fxBinaryPath: FX_BIN, name, onStderrLine: (l) => lines.push(l),
      templates: { podman: ["podman", "run", "--rm", "--network", "host", "--name", "{name}", "{image}", "/bin/sh", "-c", "echo started >&2; exec sleep 600", "{worker_args}"] },
    });
    live.push(cw);
    for (let i = 0; i < 600 && !lines.includes("started"); i++) await Bun.sleep(50);
    expect(lines).toContain("started");
    expect(containersNamed(name)).toEqual([name]);
    cw.markRegistered();
    const exit = await cw.stop(500);
    expect(exit.startError).toBeNull();
    expect(containersNamed(name)).toEqual([]);
  });
});

describe("spawnContainerWorker outside the compiled binary", () => {
  test("refuses to mount the Bun runtime as the worker: E_CONTAINER_RUNTIME naming dist/fx", () => {
    // This test process runs from source under bun, so process.execPath is bun, not fx.
    let err: unknown = null;
    try {
      spawnContainerWorker({ mode: "podman_reuse", image: IMAGE_A, workerArgv: ["worker"], fxBinaryPath: process.execPath, name: uniqueName("dev") });
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string } | null)?.code).toBe("E_CONTAINER_RUNTIME");
    expect(String((err as Error).message)).toContain("dist/fx");
  });
});

const IMAGE_GLIBC231 = "localhost/fx-test-glibc231:latest";
const hasOldGlibc = !podmanSkipReason && Bun.spawnSync(["podman", "image", "exists", IMAGE_GLIBC231]).exitCode === 0;
if (!podmanSkipReason && !hasOldGlibc) console.warn(`glibc 2.31 test skipped: ${IMAGE_GLIBC231} not built (needs the Debian mirror once)`);

(hasOldGlibc ? describe : describe.skip)("podman: an older glibc than the host's", () => {
  test("dist/fx runs in an image with Debian bullseye's glibc 2.31 (fx needs >= 2.17)", async () => {
    const name = uniqueName("glibc231");
    names.push(name);
    const argv = containerWorkerArgv({ mode: "podman_reuse", image: IMAGE_GLIBC231, workerArgv: ["--version"], fxBinaryPath: FX_BIN, name });
    const r = await runArgv(argv);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^fx \d+\.\d+\.\d+/);
    const v = await runArgv(["podman", "run", "--rm", "--network", "none", IMAGE_GLIBC231, "/bin/sh", "-c", "ls /lib/x86_64-linux-gnu/"]);
    expect(v.out).toContain("libc-2.31.so");
  });
});
