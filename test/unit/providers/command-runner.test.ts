import { describe, expect, test } from "bun:test";
import { runCommand } from "../../../src/providers/command-runner.ts";
import { ProviderError } from "../../../src/providers/errors.ts";

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ProviderError);
    return e as ProviderError;
  }
  throw new Error("expected a rejection");
}

describe("command runner: the one seam for scheduler CLIs", () => {
  test("captures stdout and stderr of an argv (no shell)", async () => {
    const r = await runCommand(["/bin/sh", "-c", "echo out; echo err >&2", "ignored $HOME"], { timeoutMs: 30_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toBe("err\n");
  });

  test("arguments with shell metacharacters are passed literally", async () => {
    const r = await runCommand(["/bin/echo", "$HOME", "a;b", "*"], { timeoutMs: 30_000 });
    expect(r.stdout).toBe("$HOME a;b *\n");
  });

  test("stdin input reaches the command", async () => {
    const r = await runCommand(["/bin/cat"], { timeoutMs: 30_000, input: "script body\n" });
    expect(r.stdout).toBe("script body\n");
  });

  test("non-zero exit → COMMAND_FAILED with the command's stderr in the message", async () => {
    const e = await rejection(runCommand(["/bin/sh", "-c", "echo 'sbatch: error: invalid partition' >&2; exit 1"], { timeoutMs: 30_000 }));
    expect(e.code).toBe("E_PROVIDER_COMMAND_FAILED");
    expect(e.message).toContain("invalid partition");
    expect(e.message).toContain("exited 1");
  });

  test("allowFailure resolves with the exit code instead", async () => {
    const r = await runCommand(["/bin/sh", "-c", "exit 3"], { timeoutMs: 30_000, allowFailure: true });
    expect(r.exitCode).toBe(3);
  });

  test("a command past its timeout is killed → COMMAND_TIMEOUT", async () => {
    const e = await rejection(runCommand(["/bin/sleep", "30"], { timeoutMs: 200 }));
    expect(e.code).toBe("E_PROVIDER_COMMAND_TIMEOUT");
    expect(e.message).toContain("cmd_timeout");
  });

  test("a missing program → COMMAND_NOT_FOUND naming it", async () => {
    const e = await rejection(runCommand(["/nonexistent/sbatch"], { timeoutMs: 30_000 }));
    expect(e.code).toBe("E_PROVIDER_COMMAND_NOT_FOUND");
    expect(e.message).toContain("/nonexistent/sbatch");
  });

  test("a missing working directory is named as such, not as a missing program", async () => {
    const e = await rejection(runCommand(["/bin/true"], { timeoutMs: 30_000, cwd: "/nonexistent/fx-logdir" }));
    expect(e.code).toBe("E_PROVIDER_COMMAND_FAILED");
    expect(e.message).toContain("/nonexistent/fx-logdir does not exist");
  });
});
