/** The worker's task kinds, executed directly: values, async, errors with stacks, modules, shell, the fn cache. */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeValue, encode } from "../../../src/protocol/codec.ts";
import type { WireResult } from "../../../src/protocol/messages.ts";
import type { ShellResult, TaskBody } from "../../../src/protocol/task.ts";
import { createExecContext, executeTask } from "../../../src/worker/execute.ts";
import { onShellActivity, runShellTask } from "../../../src/worker/shell-task.ts";

const ctx = createExecContext("testhost", "w-1");
let nextId = 1;

async function run(body: TaskBody | Record<string, unknown>): Promise<WireResult> {
  const id = nextId++;
  const r = await executeTask({ id, task_type: "RAW", payload: encode(body) }, ctx);
  expect(r.id).toBe(id);
  return r;
}
function valueOf(r: WireResult): unknown {
  expect(r.error).toBeUndefined();
  return decodeValue(r.value!);
}
const fn = (source: string, args: unknown[] = []) => ({ kind: "fn" as const, source, hash: String(Bun.hash(source)), args });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fx-exec-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("fn tasks", () => {
  test("a synchronous function returns its value synchronously", () => {
    const r = executeTask({ id: 7, task_type: "RAW", payload: encode(fn("(a, b) => a + b", [2, 3])) }, ctx);
    expect(r instanceof Promise).toBe(false);
    expect(valueOf(r as WireResult)).toBe(5);
  });

  test("async functions are awaited", async () => {
    expect(valueOf(await run(fn("async (x) => { await Bun.sleep(5); return { doubled: x * 2 }; }", [21])))).toEqual({ doubled: 42 });
  });

  test("a thrown error keeps its class name, message and stack, plus host and worker id", async () => {
    const r = await run(fn("function boom() { throw new TypeError('bad input ' + 1); }"));
    expect(r.error?.name).toBe("TypeError");
    expect(r.error?.message).toBe("bad input 1");
    expect(r.error?.stack).toContain("bad input 1");
    expect(r.error?.host).toBe("testhost");
    expect(r.error?.worker_id).toBe("w-1");
  });

  test("a rejected promise is an error result", async () => {
    const r = await run(fn("async () => { throw new RangeError('nope'); }"));
    expect(r.error?.name).toBe("RangeError");
  });

  test("a thrown non-Error value is described", async () => {
    const r = await run(fn("() => { throw 'plain string'; }"));
    expect(r.error?.name).toBe("Error");
    expect(r.error?.message).toBe("plain string");
  });

  test("closures are not captured: the source sees only globals", async () => {
    const r = await run(fn("() => typeof ctx + ':' + typeof nextId + ':' + typeof Math.max"));
    expect(valueOf(r)).toBe("undefined:undefined:function");
  });

  test("task code may require() and import() modules", async () => {
    expect(valueOf(await run(fn("() => typeof require('node:os').hostname()")))).toBe("string");
    expect(valueOf(await run(fn("async () => (await import('node:path')).join('a', 'b')")))).toBe("a/b");
  });

  test("source that does not compile, or is not a function, is a BadTask", async () => {
    const bad = await run(fn("(x => "));
    expect(bad.error?.name).toBe("BadTask");
    expect(bad.error?.code).toBe("E_BAD_TASK");
    const notFn = await run(fn("42"));
    expect(notFn.error?.message).toContain("not a function");
  });

  test("compiled functions are cached by hash", async () => {
    const c = createExecContext("h", "w");
    const body = fn("(x) => x + 1", [1]);
    await executeTask({ id: 1, task_type: "RAW", payload: encode(body) }, c);
    await executeTask({ id: 2, task_type: "RAW", payload: encode({ ...body, args: [5] }) }, c);
    expect(c.fnCache.size).toBe(1);
    // Same hash, different source: the cached function wins (the hash names the function).
    const r = await executeTask({ id: 3, task_type: "RAW", payload: encode({ ...body, source: "(x) => x * 100", args: [5] }) }, c);
    expect(valueOf(r)).toBe(6);
  });

  test("an unserializable return value is a clear error", async () => {
    const r = await run(fn("() => { const o = {}; o.self = o; return o; }"));
    // msgpackr may or may not refuse cycles; whichever it does, the result is well formed.
    if (r.error) expect(r.error.message).toContain("cannot be serialized");
    else expect(r.value).toBeInstanceOf(Uint8Array);
  });

  test("a malformed body is a BadTask naming the task", async () => {
    const r = await run({ kind: "teleport" });
    expect(r.error?.code).toBe("E_BAD_TASK");
    expect(r.error?.message).toContain("unknown kind");
  });
});

describe("module tasks", () => {
  test(".ts module export, sync and async", async () => {
    const p = path.join(tmp, "mod.ts");
    fs.writeFileSync(p, "export function add(a: number, b: number): number { return a + b; }\nexport async function later(x: string): Promise<string> { return x + '!'; }\n");
    expect(valueOf(await run({ kind: "module", path: p, export: "add", args: [1, 2] }))).toBe(3);
    expect(valueOf(await run({ kind: "module", path: p, export: "later", args: ["hi"] }))).toBe("hi!");
  });

  test(".js module export, errors with stacks", async () => {
    const p = path.join(tmp, "plain.js");
    fs.writeFileSync(p, "export function fail(m) { throw new SyntaxError(m); }\nexport const notFn = 3;\n");
    const r = await run({ kind: "module", path: p, export: "fail", args: ["oops"] });
    expect(r.error?.name).toBe("SyntaxError");
    expect(r.error?.stack).toContain("plain.js");
    const nf = await run({ kind: "module", path: p, export: "notFn", args: [] });
    expect(nf.error?.code).toBe("E_BAD_TASK");
    const missing = await run({ kind: "module", path: p, export: "nothere", args: [] });
    expect(missing.error?.message).toContain("has no export");
  });

  test("a module that does not exist is a BadTask naming its path", async () => {
    const r = await run({ kind: "module", path: path.join(tmp, "absent.ts"), export: "x", args: [] });
    expect(r.error?.code).toBe("E_BAD_TASK");
    expect(r.error?.message).toContain("absent.ts");
  });
});

describe("shell tasks", () => {
  const shell = async (body: Record<string, unknown>) => valueOf(await run({ kind: "shell", ...body })) as ShellResult;

  test("argv runs directly, non-zero exit is a value", async () => {
    const r = await shell({ argv: ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"] });
    expect(r.returncode).toBe(3);
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toBe("err\n");
    expect(r.stdout_truncated).toBe(false);
  });

  test("a command string runs under /bin/sh -c with cwd and env", async () => {
    const r = await shell({ command: 'echo "$FX_T_VAR $(pwd)"', cwd: tmp, env: { FX_T_VAR: "hello" } });
    expect(r.returncode).toBe(0);
    expect(r.stdout.trim()).toBe(`hello ${fs.realpathSync(tmp)}`);
  });

  test("a timeout kills the whole process group and fails with TaskTimeout", async () => {
    const pidFile = path.join(tmp, "child.pid");
    const r = await run({ kind: "shell", command: `sleep 60 & echo $! > ${pidFile}; wait`, timeout: 2 }); // generous: the pid file must be written first, even on a loaded box
    expect(r.error?.code).toBe("E_TASK_TIMEOUT");
    expect(r.error?.name).toBe("TaskTimeout");
    const childPid = Number(fs.readFileSync(pidFile, "utf8"));
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      try {
        process.kill(childPid, 0);
        const stat = fs.readFileSync(`/proc/${childPid}/stat`, "utf8");
        if (stat.split(" ")[2] === "Z") alive = false;
        else await Bun.sleep(50);
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });

  test("output is capped and flagged as truncated", async () => {
    const r = await shell({ argv: ["/bin/sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x"] });
    expect(r.stdout.length).toBe(1024 * 1024);
    expect(r.stdout_truncated).toBe(true);
    expect(r.returncode).toBe(0);
  });

  test("a missing program is a clear error", async () => {
    const r = await run({ kind: "shell", argv: ["/nonexistent/fx-no-such-program"] });
    expect(r.error?.message).toContain("fx-no-such-program");
  });
});

describe("common return values", () => {
  test("undefined, null and booleans round-trip exactly (pre-encoded constants)", async () => {
    expect(valueOf(await run(fn("() => undefined")))).toBeUndefined();
    expect(valueOf(await run(fn("() => null")))).toBeNull();
    expect(valueOf(await run(fn("() => true")))).toBe(true);
    expect(valueOf(await run(fn("() => false")))).toBe(false);
  });
});

describe("result size", () => {
  test("a result larger than max_payload_bytes fails with PayloadTooLarge", async () => {
    const small = createExecContext("h", "w", 1000);
    const big = await executeTask({ id: 1, task_type: "RAW", payload: encode(fn("() => 'x'.repeat(5000)")) }, small);
    expect(big.error?.code).toBe("E_PAYLOAD_TOO_LARGE");
    expect(big.error?.name).toBe("PayloadTooLarge");
    expect(big.error?.message).toContain("1000");
    const ok = await executeTask({ id: 2, task_type: "RAW", payload: encode(fn("() => 'x'.repeat(10)")) }, small);
    expect(decodeValue(ok.value!)).toBe("xxxxxxxxxx");
  });
});

describe("shell activity (what the worker's parent-death signal follows)", () => {
  test("is announced before the process exists and withdrawn after it ended, also when it cannot start", async () => {
    const marker = path.join(tmp, "activity-marker");
    const events: [boolean, boolean][] = [];
    onShellActivity((active) => events.push([active, fs.existsSync(marker)]));
    try {
      const ok = await runShellTask({ kind: "shell", argv: ["/bin/sh", "-c", 'echo x > "$1"', "sh", marker] });
      expect(ok.returncode).toBe(0);
      // told "active" before the task could write anything, "idle" after it had
      expect(events).toEqual([[true, false], [false, true]]);
      events.length = 0;
      const bad = await runShellTask({ kind: "shell", argv: [path.join(tmp, "no-such-program")] }).catch((e) => e);
      expect((bad as { code: string }).code).toBe("E_BAD_TASK");
      expect(events.map(([a]) => a)).toEqual([true, false]);
    } finally {
      onShellActivity(null);
    }
  });
});
