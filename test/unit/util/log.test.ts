import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger } from "../../../src/util/log.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fx-log-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("logger", () => {
  test("writes <role>.log in logdir (created), one line per call, with fields", () => {
    const dir = path.join(tmp, "a", "b");
    const log = createLogger({ name: "manager", logdir: dir, stderr: false });
    log.info("registered", { uid: "m 1", workers: 4 });
    log.close();
    const text = fs.readFileSync(path.join(dir, "manager.log"), "utf8");
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  manager: registered uid="m 1" workers=4\n$/);
  });

  test("the level filters lines; debugEnabled follows it", () => {
    const dir = path.join(tmp, "levels");
    const log = createLogger({ name: "worker", logdir: dir, level: "warn", stderr: false });
    expect(log.debugEnabled).toBe(false);
    log.debug("d"); log.info("i"); log.warn("w"); log.error("e");
    log.close();
    const lines = fs.readFileSync(path.join(dir, "worker.log"), "utf8").trim().split("\n");
    expect(lines.map((l) => l.split(" ")[1])).toEqual(["WARN", "ERROR"]);
    expect(createLogger({ name: "x", level: "debug", stderr: false }).debugEnabled).toBe(true);
  });

  test("child loggers share the file and prefix their name", () => {
    const dir = path.join(tmp, "child");
    const log = createLogger({ name: "interchange", logdir: dir, stderr: false });
    log.child("registry").warn("lost manager");
    log.close();
    expect(fs.readFileSync(path.join(dir, "interchange.log"), "utf8")).toContain("interchange.registry: lost manager");
  });
});
