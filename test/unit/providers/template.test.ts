import { describe, expect, test } from "bun:test";
import { renderTemplate, templateVariables } from "../../../src/providers/template.ts";
import { renderJobScript } from "../../../src/providers/job-script.ts";
import { ProviderError } from "../../../src/providers/errors.ts";

describe("submit-script templates", () => {
  test("fills every placeholder", () => {
    expect(renderTemplate("#SBATCH --job-name=${name}\n#SBATCH --nodes=${nodes}", { name: "b1", nodes: 2 })).toBe(
      "#SBATCH --job-name=b1\n#SBATCH --nodes=2",
    );
  });

  test("lists every missing variable at once, not just the first", () => {
    try {
      renderTemplate("${a} ${b} ${c} ${a}", { b: "x", c: null });
      throw new Error("expected a ProviderError");
    } catch (e) {
      expect(e).toBeInstanceOf(ProviderError);
      expect((e as ProviderError).code).toBe("E_PROVIDER_TEMPLATE");
      expect((e as Error).message).toContain("a, c");
    }
  });

  test("names the variables in first-use order, once each", () => {
    expect(templateVariables("${x}${y}${x}$z ${1bad}")).toEqual(["x", "y"]);
  });

  test("job script: header, then worker_init, then the shell-quoted command", () => {
    const s = renderJobScript("#!/bin/bash\n#X ${n}", { n: 3 }, "module load foo\nexport A=1", ["fx", "manager", "--x", "a b"]);
    const lines = s.split("\n");
    expect(lines[0]).toBe("#!/bin/bash");
    expect(lines[1]).toBe("#X 3");
    expect(s.indexOf("module load foo")).toBeLessThan(s.indexOf("fx manager"));
    expect(s).toContain("fx manager --x 'a b'");
  });

  test("job script: a given script body is used as-is", () => {
    expect(renderJobScript("#!/bin/sh", {}, "", { script: "echo $HOME > out" })).toContain("echo $HOME > out");
  });

  test("job script: an empty argv is refused", () => {
    expect(() => renderJobScript("#!/bin/sh", {}, "", [])).toThrow(ProviderError);
  });
});
