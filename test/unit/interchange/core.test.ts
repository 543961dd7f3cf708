import { describe, expect, test } from "bun:test";
import { MSG, PROTOCOL_VERSION, encode } from "../../../src/protocol/index.ts";
import { reg, setupCore } from "../../helpers/interchange-core.ts";

const enc = new TextEncoder();
const setup = (retries = 0) => setupCore({ retries });
const submit = (ids: number[], extra: object = {}) => ({ type: MSG.submit, tasks: ids.map((id) => ({ id, task_type: "RAW", payload: encode(id), ...extra })) }) as const;

describe("InterchangeCore", () => {
  test("results go back to the client that submitted, under that client's ids", () => {
    const { out, core } = setup();
    core.onManagerMessage("m1", reg("m1"), 0);
    core.onManagerMessage("m1", { type: MSG.request, capacity: 10 }, 0);
    core.onSubmit(enc.encode("A"), submit([1, 2]));
    core.onSubmit(enc.encode("B"), submit([1]));
    core.flush();
    const sent = out.tasksFor("m1");
    expect(sent.length).toBe(3);
    expect(new Set(sent.map((t) => t.id)).size).toBe(3); // interchange ids are unique across clients
    core.onResults("m1", { type: MSG.results, results: sent.map((t) => ({ id: t.id, value: encode(`r${t.id}`) })) }, 1);
    core.flush();
    expect(out.resultsFor("A").map((r) => r.id).sort()).toEqual([1, 2]);
    expect(out.resultsFor("B").map((r) => r.id)).toEqual([1]);
    expect(core.outstanding).toBe(0);
  });

  test("a protocol version mismatch is refused with bad_registration", () => {
    const { out, core } = setup();
    core.onManagerMessage("old", reg("old", { protocol_version: PROTOCOL_VERSION + 1 }), 0);
    const m = out.manager[0]!;
    expect(m.msg.type).toBe(MSG.badRegistration);
    expect((m.msg as { message: string }).message).toContain("protocol version mismatch");
    expect(core.managers.size).toBe(0);
  });

  test("a silent manager is lost after heartbeat_threshold: in-flight tasks fail with ManagerLost, late results are dropped", () => {
    const { out, core } = setup();
    core.onManagerMessage("m1", reg("m1"), 0);
    core.onManagerMessage("m1", { type: MSG.request, capacity: 2 }, 0);
    core.onSubmit(enc.encode("A"), submit([1, 2, 3]));
    core.flush();
    const sent = out.tasksFor("m1");
    core.tick(2000);
    expect(core.managers.size).toBe(1);
    core.tick(3500);
    core.flush();
    expect(core.managers.size).toBe(0);
    const res = out.resultsFor("A");
    expect(res.map((r) => r.id).sort()).toEqual([1, 2]);
    expect(res.every((r) => r.error?.code === "E_MANAGER_LOST" && r.error.name === "ManagerLost")).toBe(true);
    core.onResults("m1", { type: MSG.results, results: [{ id: sent[0]!.id, value: encode(1) }] }, 4000);
    expect(core.counters.resultsFromLostManagers).toBe(1);
    expect(core.outstanding).toBe(1); // task 3 still queued, not lost
  });

  test("with retries, a lost manager's tasks run again on another manager, once", () => {
    const { out, core } = setup(1);
    core.onManagerMessage("m1", reg("m1"), 0);
    core.onManagerMessage("m1", { type: MSG.request, capacity: 5 }, 0);
    core.onSubmit(enc.encode("A"), submit([1, 2]));
    core.flush();
    expect(out.tasksFor("m1").length).toBe(2);
    core.onManagerMessage("m2", reg("m2"), 3000);
    core.onManagerMessage("m2", { type: MSG.request, capacity: 5 }, 3000);
    core.tick(3500);
    core.flush();
    const again = out.tasksFor("m2");
    expect(again.length).toBe(2);
    core.onResults("m2", { type: MSG.results, results: again.map((t) => ({ id: t.id, value: encode(0) })) }, 3600);
    core.flush();
    expect(out.resultsFor("A").map((r) => [r.id, r.error === undefined])).toEqual([[1, true], [2, true]]);
  });

  test("a held manager gets no new tasks", () => {
    const { out, core } = setup();
    core.onManagerMessage("m1", reg("m1"), 0);
    core.onManagerMessage("m1", { type: MSG.request, capacity: 5 }, 0);
    expect(core.holdManager("m1")).toBe(true);
    core.onSubmit(enc.encode("A"), submit([1]));
    core.flush();
    expect(out.tasksFor("m1").length).toBe(0);
    expect(core.holdManager("nope")).toBe(false);
  });

  test("an oversized payload is refused with E_PAYLOAD_TOO_LARGE, others accepted", () => {
    const { out, core } = setup();
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [{ id: 1, task_type: "RAW", payload: new Uint8Array(101) }, { id: 2, task_type: "RAW", payload: new Uint8Array(3) }] });
    const refused = out.client.find((c) => c.msg.type === MSG.refused)!.msg as unknown as { ids: number[]; error: { code: string } };
    expect(refused.ids).toEqual([1]);
    expect(refused.error.code).toBe("E_PAYLOAD_TOO_LARGE");
    expect(core.outstanding).toBe(1);
  });

  test("cancel fails queued tasks once and they are never dispatched", () => {
    const { out, core } = setup();
    core.onSubmit(enc.encode("A"), submit([1, 2, 3]));
    core.onCancel(enc.encode("A"), [2]);
    core.onSubmit(enc.encode("A"), submit([4])); // may reuse nothing still in a ring
    core.onManagerMessage("m1", reg("m1"), 0);
    core.onManagerMessage("m1", { type: MSG.request, capacity: 10 }, 0);
    core.flush();
    expect(out.tasksFor("m1").length).toBe(3);
    expect(out.resultsFor("A").map((r) => [r.id, r.error?.code])).toEqual([[2, "E_CANCELLED"]]);
  });

  test("shutdown with cancel fails every held task with E_SHUTDOWN and refuses new ones", () => {
    const { out, core } = setup();
    core.onManagerMessage("m1", reg("m1"), 0);
    core.onManagerMessage("m1", { type: MSG.request, capacity: 1 }, 0);
    core.onSubmit(enc.encode("A"), submit([1, 2]));
    core.flush();
    core.close("test", true);
    core.onSubmit(enc.encode("A"), submit([3]));
    core.flush();
    expect(out.resultsFor("A").map((r) => r.error?.code)).toEqual(["E_SHUTDOWN", "E_SHUTDOWN"]);
    const refused = out.client.find((c) => c.msg.type === MSG.refused)!.msg as unknown as { ids: number[]; error: { code: string } };
    expect(refused.ids).toEqual([3]);
    expect(core.outstanding).toBe(0);
  });

  test("with worker_mode no_container, a container task is refused unless a manager runs that type; container-mode managers take any type", () => {
    const { out, core } = setup();
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [{ id: 1, task_type: "alpine:3", payload: encode(1) }] });
    const refused = out.client.find((c) => c.msg.type === MSG.refused)!.msg as unknown as { ids: number[]; error: { code: string; message: string } };
    expect(refused.ids).toEqual([1]);
    expect(refused.error.code).toBe("E_IMAGE_NOT_ALLOWED");
    expect(refused.error.message).toContain("no_container");
    core.onManagerMessage("pod", reg("pod", { worker_mode: "podman_reuse", worker_types: ["RAW"] }), 0);
    core.onManagerMessage("pod", { type: MSG.request, capacity: 4 }, 0);
    core.onSubmit(enc.encode("A"), { type: MSG.submit, tasks: [{ id: 2, task_type: "alpine:3", payload: encode(2) }] });
    core.flush();
    expect(out.tasksFor("pod").length).toBe(1);
  });

  test("a client gone for longer than heartbeat_threshold loses its queued tasks (counted); one that comes back keeps them", () => {
    const { core } = setup();
    core.onSubmit(enc.encode("A"), submit([1, 2]));
    core.onSubmit(enc.encode("B"), submit([1]));
    core.onClientGone(enc.encode("A"), 0);
    core.onClientGone(enc.encode("B"), 0);
    core.onClientBack(enc.encode("B"));
    core.tick(2000);
    expect(core.outstanding).toBe(3);
    core.tick(3500);
    expect(core.counters.abandoned).toBe(2);
    expect(core.outstanding).toBe(1);
    core.onManagerMessage("m1", reg("m1"), 3500);
    core.onManagerMessage("m1", { type: MSG.request, capacity: 10 }, 3500);
    core.flush();
    expect(core.outstanding).toBe(1); // only B's task went out
  });
});
