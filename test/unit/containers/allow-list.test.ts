/** checkImageAllowed: the submit-time gate on container images. */
import { describe, expect, test } from "bun:test";
import { assertImageAllowed, checkImageAllowed } from "../../../src/containers/allow-list.ts";
import { ContainerError } from "../../../src/containers/errors.ts";

describe("checkImageAllowed", () => {
  test("an empty list allows any valid image", () => {
    expect(checkImageAllowed("docker.io/library/python:3.12", [])).toBeNull();
  });
  test("'*' matches within one path segment, including a tag", () => {
    const allow = ["docker.io/library/*"];
    expect(checkImageAllowed("docker.io/library/python:3.12", allow)).toBeNull();
    expect(checkImageAllowed("docker.io/library/debian", allow)).toBeNull();
    expect(checkImageAllowed("docker.io/library/x/y", allow)?.code).toBe("E_IMAGE_NOT_ALLOWED");
    expect(checkImageAllowed("docker.io/evil/python", allow)?.code).toBe("E_IMAGE_NOT_ALLOWED");
  });
  test("'**' crosses '/', '?' is one character", () => {
    expect(checkImageAllowed("ghcr.io/org/team/img:1", ["ghcr.io/org/**"])).toBeNull();
    expect(checkImageAllowed("localhost/fx-test-a", ["localhost/fx-test-?"])).toBeNull();
    expect(checkImageAllowed("localhost/fx-test-ab", ["localhost/fx-test-?"])?.code).toBe("E_IMAGE_NOT_ALLOWED");
  });
  test("a pattern without a tag allows any tag or digest; a pattern with a tag allows only that tag", () => {
    expect(checkImageAllowed("localhost/fx-test-a:latest", ["localhost/fx-test-a"])).toBeNull();
    expect(checkImageAllowed("localhost/fx-test-a@sha256:abc", ["localhost/fx-test-a"])).toBeNull();
    expect(checkImageAllowed("localhost/fx-test-a:v2", ["localhost/fx-test-a:latest"])?.code).toBe("E_IMAGE_NOT_ALLOWED");
    expect(checkImageAllowed("localhost/fx-test-ab", ["localhost/fx-test-a"])?.code).toBe("E_IMAGE_NOT_ALLOWED");
  });
  test("regex metacharacters in patterns are literal", () => {
    expect(checkImageAllowed("aXb", ["a.b"])?.code).toBe("E_IMAGE_NOT_ALLOWED");
    expect(checkImageAllowed("/images/a.sif", ["/images/*.sif"])).toBeNull();
  });
  test("the refusal names the image and the allowed patterns", () => {
    const err = checkImageAllowed("evil:1", ["localhost/*", "/images/*.sif"]);
    expect(err).toBeInstanceOf(ContainerError);
    expect(err!.message).toContain('"evil:1"');
    expect(err!.message).toContain('"localhost/*", "/images/*.sif"');
    expect(err!.details.image).toBe("evil:1");
    expect(() => assertImageAllowed("evil:1", ["localhost/*"])).toThrow(/not allowed/);
  });
  test("names that would read as runtime options are refused even with an empty list", () => {
    expect(checkImageAllowed("--privileged", [])?.code).toBe("E_IMAGE_NOT_ALLOWED");
    expect(checkImageAllowed("", [])?.code).toBe("E_IMAGE_NOT_ALLOWED");
    expect(checkImageAllowed("a b", ["**"])?.code).toBe("E_IMAGE_NOT_ALLOWED");
  });
});
