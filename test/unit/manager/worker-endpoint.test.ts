/** The worker channel endpoint: ipc in a private dir when the path fits sun_path, else /tmp, else tcp on loopback. */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MAX_IPC_PATH_BYTES, chooseWorkerEndpoint } from "../../../src/manager/worker-endpoint.ts";

const base = fs.mkdtempSync(path.join(os.tmpdir(), "fx-ep-"));
const long = path.join(base, "d".repeat(100));
fs.mkdirSync(long, { recursive: true });
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe("chooseWorkerEndpoint", () => {
  test("a short temp dir: ipc inside a fresh private directory", () => {
    const ep = chooseWorkerEndpoint([base]);
    expect(ep.bindUrl.startsWith(`ipc://${base}/fx-manager-`)).toBe(true);
    expect(Buffer.byteLength(ep.bindUrl.slice(6))).toBeLessThanOrEqual(MAX_IPC_PATH_BYTES);
    expect(fs.statSync(ep.dir!).isDirectory()).toBe(true);
  });

  test("a temp dir too long for sun_path is skipped (and left clean), the next one is used", () => {
    const ep = chooseWorkerEndpoint([long, base]);
    expect(ep.dir!.startsWith(base)).toBe(true);
    expect(fs.readdirSync(long)).toEqual([]);
  });

  test("nothing fits or exists: tcp on 127.0.0.1", () => {
    expect(chooseWorkerEndpoint([long, path.join(base, "missing", "x")])).toEqual({ bindUrl: "tcp://127.0.0.1:0", dir: null });
  });
});
