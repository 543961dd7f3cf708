/** InterchangeCore: walltime-aware dispatch from registrations, and the `running` status from start notices. */
import { describe, expect, test } from "bun:test";
import { MSG, PROTOCOL_VERSION, encode } from "../../../src/protocol/index.ts";
import { reg, setupCore } from "../../helpers/interchange-core.ts";

const enc = new TextEncoder();
const setup = () => setupCore({ epochNow: () => EPOCH });
const task = (id: number, duration?: number) => ({ id, task_type: "RAW", payload: encode(id), ...(duration !== undefined ? { duration } : {}) });
/** The core's clock (monotonic, like performance.now) and the wall clock at the same instant. */
const T0 = 50_000;
const EPOCH = 1_700_000_000_000;

describe("InterchangeCore walltime-aware dispatch", () => {
  test("a task declared longer than a manager's remaining walltime goes only to a manager it fits; untimed tasks go anywhere", () => {
    const { out, core } = setup();
    core.onManagerMessage("short", reg("short", { walltime_end_ms: EPOCH + 60_000 }), T0);
    core.onManagerMessage("long", reg("long", { walltime_end_ms: EPOCH + 3_600_000 }), T0);
    core.onManagerMessage("short", { type: MSG.request, capacity: 10 }, T0);
    core.onManagerMessage("long", { type: MSG.request, capacity: 10 }, T0);
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [task(1, 600), task(2, 600), task(3, 30), task(4), task(5)] });
    core.flush(T0);
    const toShort = out.tasksFor("short");
    const toLong = out.tasksFor("long");
    expect(toShort.length + toLong.length).toBe(5);
    expect(toShort.some((t) => t.duration === 600)).toBe(false);
    expect(toLong.filter((t) => t.duration === 600).length).toBe(2);
    // the declared duration travels to the manager as it was given
    expect(toLong.find((t) => t.duration === 600)).toBeDefined();
  });

  test("a task no connected manager could fit stays queued, and goes to a manager that registers later with time for it", () => {
    const { out, core } = setup();
    core.onManagerMessage("short", reg("short", { walltime_end_ms: EPOCH + 60_000 }), T0);
    core.onManagerMessage("short", { type: MSG.request, capacity: 10 }, T0);
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [task(1, 7200), task(2)] });
    core.flush(T0);
    expect(out.tasksFor("short").map((t) => t.duration)).toEqual([undefined]);
    expect(core.queues.size).toBe(1);
    expect(core.pendingByType()).toEqual(new Map([["RAW", 1]]));
    core.flush(T0 + 1000); // nothing changes: still no manager fits it
    expect(core.queues.size).toBe(1);
    core.onManagerMessage("new", reg("new", { walltime_end_ms: EPOCH + 86_400_000 }), T0 + 2000);
    core.onManagerMessage("new", { type: MSG.request, capacity: 1 }, T0 + 2000);
    core.flush(T0 + 2000);
    expect(out.tasksFor("new").map((t) => t.duration)).toEqual([7200]);
    expect(core.queues.size).toBe(0);
  });

  test("a manager without walltime_end_ms (started by hand) takes any declared duration", () => {
    const { out, core } = setup();
    core.onManagerMessage("hand", reg("hand"), T0);
    core.onManagerMessage("hand", { type: MSG.request, capacity: 2 }, T0);
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [task(1, 1e7)] });
    core.flush(T0);
    expect(out.tasksFor("hand").length).toBe(1);
  });
});

describe("InterchangeCore: declared durations against the walltime of the blocks it starts", () => {
  const refusals = (out: ReturnType<typeof setup>["out"]) =>
    out.client.filter((c) => c.msg.type === MSG.refused).map((c) => c.msg as unknown as { ids: number[]; error: { code: string; message: string } });

  test("with 600 s blocks, a duration no block has time for is refused at submit, naming it, unless a connected manager has the time", () => {
    const { out, core } = setupCore({ epochNow: () => EPOCH, blockWalltimeS: 600 });
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [task(1, 3600), task(2, 595), task(3, 590), task(4)] }, T0);
    const [r] = refusals(out);
    expect(r!.ids).toEqual([1, 2]); // 595 s is counted as 600 s (two significant digits), which no fresh block has
    expect(r!.error.code).toBe("E_BAD_TASK");
    expect(r!.error.message).toContain("duration of 3600 s");
    expect(r!.error.message).toContain("blocks this endpoint starts run for 600 s (provider.walltime)");
    expect(core.queues.size).toBe(2);
    core.onManagerMessage("short", reg("short", { walltime_end_ms: EPOCH + 300_000 }), T0);
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [task(5, 3600)] }, T0);
    expect(refusals(out).map((x) => x.ids)).toEqual([[1, 2], [5]]); // 300 s left is not enough either
    core.onManagerMessage("day", reg("day", { walltime_end_ms: EPOCH + 86_400_000 }), T0);
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [task(6, 3600)] }, T0);
    expect(refusals(out)).toHaveLength(2); // accepted: "day" has the time
    expect(core.queues.size).toBe(3);
  });

  test("queued tasks no block could fit are not work for blocks (scaling), other queued and running tasks are", () => {
    const { core } = setupCore({ epochNow: () => EPOCH, blockWalltimeS: 600 });
    core.onManagerMessage("day", reg("day", { walltime_end_ms: EPOCH + 86_400_000 }), T0);
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [task(1, 3600), task(2, 3600), task(3, 60), task(4)] }, T0);
    expect(core.outstanding).toBe(4);
    expect(core.outstandingForBlocks).toBe(2);
    core.onManagerMessage("day", { type: MSG.request, capacity: 10 }, T0);
    core.flush(T0); // "day" takes all four: running work counts whatever its duration
    expect(core.outstandingForBlocks).toBe(4);
  });

  test("without a block walltime (local provider) every duration is accepted and counted", () => {
    const { out, core } = setupCore({ epochNow: () => EPOCH });
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [task(1, 1e7)] }, T0);
    expect(refusals(out)).toEqual([]);
    expect(core.outstandingForBlocks).toBe(1);
  });
});

describe("InterchangeCore queue limit", () => {
  test("past 65,535 distinct queues (types × duration lanes) a new one is refused with BadTask, known ones still queue", () => {
    const { out, core } = setup();
    core.onManagerMessage("any", reg("any", { worker_mode: "docker_reuse" }), T0); // serves every type
    const n = 65_535;
    const tasks = Array.from({ length: n + 1 }, (_, i) => ({ id: i, task_type: `t${i}`, payload: encode(0) }));
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks });
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [{ id: n + 1, task_type: "t7", payload: encode(0), duration: 5 }, { id: n + 2, task_type: "t7", payload: encode(0) }] });
    const refused = out.client.filter((c) => c.msg.type === MSG.refused).map((c) => c.msg as unknown as { ids: number[]; error: { code: string; message: string } });
    expect(refused.flatMap((r) => r.ids)).toEqual([n, n + 1]);
    expect(refused[0]!.error.code).toBe("E_BAD_TASK");
    expect(refused[0]!.error.message).toContain("too many distinct task types");
    expect(core.queues.size).toBe(n + 1);
  });
});

describe("InterchangeCore running status", () => {
  test("with a status client, batches are marked want_status, and a started notice becomes `running` between dispatched and done", () => {
    const { out, core } = setup();
    core.onManagerMessage("m", reg("m"), T0);
    core.onManagerMessage("m", { type: MSG.request, capacity: 10 }, T0);
    core.onClientHello(enc.encode("S"), true, PROTOCOL_VERSION, "t");
    core.onSubmit(enc.encode("S"), { type: MSG.submit, tasks: [task(7)] });
    core.flush(T0);
    const [batch] = out.batchesFor("m");
    expect(batch!.want_status).toBe(true);
    const wid = batch!.tasks[0]!.id;
    core.onStarted("m", { type: MSG.started, ids: [wid, 999_999] }, T0 + 1); // an unknown id is ignored
    core.flush(T0 + 1);
    core.onResults("m", { type: MSG.results, results: [{ id: wid, value: encode(1) }] }, T0 + 2);
    core.flush(T0 + 2);
    expect(out.statusFor("S")).toEqual([[7, "pending", ""], [7, "dispatched", "m"], [7, "running", "m"], [7, "done", "m"]]);
  });

  test("without a status client, batches carry no want_status and a client gets no status messages", () => {
    const { out, core } = setup();
    core.onManagerMessage("m", reg("m"), T0);
    core.onManagerMessage("m", { type: MSG.request, capacity: 10 }, T0);
    core.onClientHello(enc.encode("Q"), false, PROTOCOL_VERSION, "t");
    core.onSubmit(enc.encode("Q"), { type: MSG.submit, tasks: [task(1)] });
    core.flush(T0);
    const [batch] = out.batchesFor("m");
    expect("want_status" in batch!).toBe(false);
    core.onStarted("m", { type: MSG.started, ids: [batch!.tasks[0]!.id] }, T0 + 1);
    core.onResults("m", { type: MSG.results, results: [{ id: batch!.tasks[0]!.id, value: encode(1) }] }, T0 + 2);
    core.flush(T0 + 2);
    expect(out.client.filter((c) => c.msg.type === MSG.status)).toEqual([]);
  });
});
