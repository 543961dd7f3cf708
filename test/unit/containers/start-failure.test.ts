/** classifyStartFailure: a container that died before its worker registered becomes E_CONTAINER_START with a hint. */
import { describe, expect, test } from "bun:test";
import { classifyStartFailure, spawnFailure, stderrTail } from "../../../src/containers/start-failure.ts";

const f = (stderr: string, exitCode: number | null = 1) => classifyStartFailure({ runtime: "podman", image: "localhost/x", exitCode, stderr });

describe("classifyStartFailure", () => {
  test("missing ELF interpreter (runc's message, seen with a busybox-only image) → glibc hint", () => {
    const e = f("exec /opt/fx/fx: no such file or directory\n");
    expect(e.code).toBe("E_CONTAINER_START");
    expect(e.message).toContain('image "localhost/x" (podman)');
    expect(e.message).toContain("exit code 1");
    expect(e.message).toContain("glibc userland");
    expect(e.details.stderrTail).toBe("exec /opt/fx/fx: no such file or directory");
  });
  test("exec format error → architecture hint", () => {
    expect(f("standard_init_linux.go:228: exec user process caused: exec format error").message).toContain("architecture");
  });
  test("old glibc → names the minimum", () => {
    expect(f("/opt/fx/fx: /lib64/libc.so.6: version `GLIBC_2.17' not found (required by /opt/fx/fx)").message).toContain("glibc >= 2.17");
  });
  test("unavailable image → image hint, not a glibc hint", () => {
    const e = f("Error: initializing source docker://localhost/nope:latest: pinging container registry", 125);
    expect(e.message).toContain("not available");
    expect(e.message).not.toContain("glibc");
    expect(f("FATAL:   could not open image /images/missing.sif: failed to retrieve path", 255).message).toContain("not available");
  });
  test("unknown stderr still gives a clear message with the status and the tail", () => {
    const e = classifyStartFailure({ runtime: "apptainer", image: "/a.sif", exitCode: null, signal: "SIGKILL", stderr: "boom" });
    expect(e.message).toContain("signal SIGKILL");
    expect(e.message).toContain("exited before its worker registered");
    expect(e.message).toContain("boom");
  });
  test("the tail keeps only the last lines", () => {
    const text = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    expect(stderrTail(text, 3)).toBe("line 17\nline 18\nline 19");
  });
  test("a missing runtime binary is E_CONTAINER_RUNTIME", () => {
    const e = spawnFailure("podman", "img", Object.assign(new Error("spawn podman ENOENT"), { code: "ENOENT" }));
    expect(e.code).toBe("E_CONTAINER_RUNTIME");
    expect(e.message).toContain("not installed or not on PATH");
    expect(e.cause).toBeInstanceOf(Error);
  });
});

test("apptainer's wording for a missing ELF interpreter also gets the glibc hint", () => {
  const e = classifyStartFailure({ runtime: "apptainer", image: "/img", exitCode: 255,
    stderr: "FATAL:   exec /opt/fx/fx failed: a shared library is likely missing in the image" });
  expect(e.message).toContain("glibc userland");
});
