import { describe, expect, test } from "bun:test";
import {
  MSG,
  ProtocolError,
  decodeClientToInterchange,
  decodeInterchangeToManager,
  decodeManagerResults,
  decodeManagerToInterchange,
  decodeResults,
  decodeTaskBody,
  decodeCommandRequest,
  decodeWorkerToManager,
  encode,
  encodeMessage,
  ATTACH_MIN_BYTES,
} from "../../../src/protocol/index.ts";

function expectProtoError(f: () => unknown, fragment: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as Error).message).toContain(fragment);
    return;
  }
  throw new Error("expected a ProtocolError");
}

describe("protocol codec", () => {
  test("a submit batch round-trips and payloads come back as bytes", () => {
    const payload = encode({ kind: "fn", source: "() => 1", hash: "h", args: [] });
    const msg = decodeClientToInterchange(
      encode({ type: MSG.submit, tasks: [{ id: 7, task_type: "RAW", payload }] }),
    );
    expect(msg.type).toBe("submit");
    if (msg.type !== "submit") throw new Error();
    expect(msg.tasks[0]!.id).toBe(7);
    expect(Buffer.from(msg.tasks[0]!.payload).equals(payload)).toBe(true);
  });

  test("garbage bytes are a coded ProtocolError, not a crash", () => {
    expectProtoError(() => decodeClientToInterchange(new Uint8Array([0xc1, 0xff, 0x00])), "");
  });

  test("a message without a type is refused with a message naming it", () => {
    expectProtoError(() => decodeManagerToInterchange(encode({ capacity: 3 })), 'no string "type"');
  });

  test("an unknown type is refused with its name", () => {
    expectProtoError(() => decodeInterchangeToManager(encode({ type: "bogus" })), '"bogus"');
  });

  test("a task whose payload is not binary is refused, naming the field", () => {
    expectProtoError(
      () => decodeClientToInterchange(encode({ type: MSG.submit, tasks: [{ id: 1, task_type: "RAW", payload: "x" }] })),
      "submit.tasks[0].payload",
    );
  });

  test("attachments: big payloads and values leave the map as frames of their own, by reference, and come back", () => {
    const big = new Uint8Array(ATTACH_MIN_BYTES).fill(7);
    const small = new Uint8Array(ATTACH_MIN_BYTES - 1).fill(8);
    const frames = encodeMessage({ type: MSG.tasks, tasks: [{ id: 1, task_type: "RAW", payload: small }, { id: 2, task_type: "RAW", payload: big }] });
    if (frames instanceof Uint8Array) throw new Error("expected attachments");
    expect(frames.length).toBe(2);
    expect(frames[1]).toBe(big); // the caller's bytes, not a copy
    const m = decodeInterchangeToManager(frames);
    if (m.type !== MSG.tasks) throw new Error();
    expect(m.tasks.map((t) => t.payload.length)).toEqual([small.length, big.length]);
    expect(m.tasks[1]!.payload).toBe(frames[1]!);
    const r = encodeMessage({ type: MSG.results, results: [{ id: 1, value: big }, { id: 2, error: { name: "E", message: "m" } }, { id: 3, value: big }] });
    if (r instanceof Uint8Array) throw new Error("expected attachments");
    expect(r.length).toBe(3);
    const back = decodeResults(r);
    expect(back.results.map((x) => x.value?.length)).toEqual([big.length, undefined, big.length]);
    // nothing big: one frame, exactly what encode() gives
    expect(Buffer.from(encodeMessage({ type: MSG.results, results: [{ id: 1, value: small }] }) as Uint8Array).equals(encode({ type: MSG.results, results: [{ id: 1, value: small }] }))).toBe(true);
  });

  test("attachment references are checked: in order, in range, every frame claimed, only where bytes may go", () => {
    const f = new Uint8Array(ATTACH_MIN_BYTES);
    const tasks = (...p: unknown[]) => encode({ type: MSG.tasks, tasks: p.map((payload, i) => ({ id: i, task_type: "RAW", payload })) });
    expectProtoError(() => decodeInterchangeToManager([tasks(0)]), "names attachment 0, but the message has 0");
    expectProtoError(() => decodeInterchangeToManager([tasks(1, 0), f, f]), "attachments are referenced in order, expected 0");
    expectProtoError(() => decodeInterchangeToManager([tasks(0), f, f]), "has 2 attachment frame(s) but references 1");
    expectProtoError(() => decodeInterchangeToManager([encode({ type: MSG.heartbeat }), f]), "has 1 attachment frame(s) but references 0");
    expectProtoError(() => decodeInterchangeToManager([]), "no frames");
    expectProtoError(() => decodeInterchangeToManager([tasks(-1), f]), "names attachment -1");
    expectProtoError(() => decodeInterchangeToManager([tasks("x"), f]), "must be binary or an attachment index");
    expectProtoError(() => decodeWorkerToManager([encode({ type: MSG.results, results: [{ id: 1, value: 0 }, { id: 2, value: 0 }] }), f]), "results.results[1].value names attachment 0");
    expect(decodeInterchangeToManager([tasks(0, new Uint8Array(1), 1), f, f]).type).toBe(MSG.tasks);
  });

  test("registration with a missing field is refused naming the field", () => {
    expectProtoError(() => decodeManagerToInterchange(encode({ type: MSG.register, protocol_version: 1 })), "register.fx_version");
  });

  test("results carry either a value or a checked error", () => {
    const ok = decodeResults(encode({ type: MSG.results, results: [{ id: 1, value: encode(42) }, { id: 2, error: { name: "E", message: "m" } }] }));
    expect(ok.results.length).toBe(2);
    expectProtoError(() => decodeResults(encode({ type: MSG.results, results: [{ id: 1 }] })), "results.results[0].value");
  });

  test("shell task body needs exactly one of argv or command", () => {
    expect(decodeTaskBody(encode({ kind: "shell", argv: ["true"] })).kind).toBe("shell");
    expectProtoError(() => decodeTaskBody(encode({ kind: "shell" })), "exactly one");
    expectProtoError(() => decodeTaskBody(encode({ kind: "shell", argv: ["a"], command: "b" })), "exactly one");
    expectProtoError(() => decodeTaskBody(encode({ kind: "wat" })), '"wat"');
  });

  test("commands are checked: unknown command and bad argument", () => {
    expect(decodeCommandRequest(encode({ type: "outstanding" })).type).toBe("outstanding");
    expectProtoError(() => decodeCommandRequest(encode({ type: "format_disk" })), "format_disk");
    expectProtoError(() => decodeCommandRequest(encode({ type: "scale_out", blocks: -1 })), "scale_out.blocks");
  });

  test("a submitted task may carry optional non-negative integer retries", () => {
    const payload = encode({ kind: "fn", source: "() => 1", hash: "h", args: [] });
    const ok = decodeClientToInterchange(encode({ type: MSG.submit, tasks: [{ id: 1, task_type: "RAW", payload, retries: 2 }] }));
    expect(ok.type === MSG.submit && ok.tasks[0]!.retries).toBe(2);
    expectProtoError(
      () => decodeClientToInterchange(encode({ type: MSG.submit, tasks: [{ id: 1, task_type: "RAW", payload, retries: -1 }] })),
      "submit.tasks[0].retries",
    );
  });
});

describe("status stream messages (want_status, started)", () => {
  test("a tasks message may carry want_status (boolean); anything else there is refused", () => {
    const t = { id: 1, task_type: "RAW", payload: new Uint8Array([0xc0]) };
    const m = decodeInterchangeToManager(encode({ type: MSG.tasks, tasks: [t], want_status: true }));
    expect(m.type === MSG.tasks && m.want_status).toBe(true);
    const plain = decodeInterchangeToManager(encode({ type: MSG.tasks, tasks: [t] }));
    expect(plain.type === MSG.tasks && plain.want_status).toBeUndefined();
    expectProtoError(() => decodeInterchangeToManager(encode({ type: MSG.tasks, tasks: [t], want_status: "yes" })), "tasks.want_status must be a boolean");
  });

  test("the result channel carries results and started notices; ids must be non-negative integers", () => {
    const s = decodeManagerResults(encode({ type: MSG.started, ids: [1, 2, 3] }));
    expect(s).toEqual({ type: MSG.started, ids: [1, 2, 3] });
    const r = decodeManagerResults(encode({ type: MSG.results, results: [{ id: 4, value: new Uint8Array([1]) }] }));
    expect(r.type).toBe(MSG.results);
    expectProtoError(() => decodeManagerResults(encode({ type: MSG.started, ids: [1, -2] })), "started.ids");
    expectProtoError(() => decodeManagerResults(encode({ type: MSG.started, ids: "1" })), "started.ids must be an array");
    expectProtoError(() => decodeManagerResults(encode({ type: MSG.started })), "started.ids must be an array");
    expectProtoError(() => decodeManagerResults(encode({ type: "begun", ids: [] })), "unknown type");
    // the worker channel's decoder still takes results only
    expectProtoError(() => decodeResults(encode({ type: MSG.started, ids: [1] })), "unknown type");
  });
});
