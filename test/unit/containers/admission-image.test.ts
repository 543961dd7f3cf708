/** The interchange's submit admission applies the container image rules (src/containers/allow-list.ts). */
import { expect, test } from "bun:test";
import { admit, type AdmissionRules } from "../../../src/interchange/admission.ts";

const rules = (allowedImages: string[]): AdmissionRules => ({
  closedReason: null, maxPayloadBytes: 1000, allowedImages, workerMode: "podman_reuse", canServe: () => true, blockWalltimeS: Infinity, hasTimeFor: () => true,
});
const task = (task_type: string) => ({ id: 1, task_type, payload: new Uint8Array(4) });

test("glob patterns admit matching images and refuse others with the patterns named", () => {
  expect(admit(task("localhost/fx-test-a:latest"), rules(["localhost/*"]))).toBeNull();
  const r = admit(task("docker.io/evil:1"), rules(["localhost/*"]));
  expect(r?.code).toBe("E_IMAGE_NOT_ALLOWED");
  expect(r?.message).toContain('"localhost/*"');
});

test("an image name a runtime would read as an option is refused even with an empty allow-list", () => {
  expect(admit(task("--privileged"), rules([]))?.code).toBe("E_IMAGE_NOT_ALLOWED");
  expect(admit(task("docker.io/library/debian:12"), rules([]))).toBeNull();
  expect(admit(task("RAW"), rules(["localhost/*"]))).toBeNull();
});
