import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { renderMarkdownReference } from "../../../src/config/render.ts";
import { FIELDS, envName } from "../../../src/config/fields.ts";

const DOC = path.resolve(import.meta.dir, "../../../docs/configuration.md");

test("docs/configuration.md carries the key reference generated from the field table (`fx config reference`)", () => {
  const doc = fs.readFileSync(DOC, "utf8");
  expect(doc).toContain(renderMarkdownReference());
});

test("every key has a one-line meaning and a distinct env var", () => {
  for (const f of FIELDS) expect(f.doc.length > 10 && !f.doc.includes("\n")).toBe(true);
  expect(new Set(FIELDS.map(envName)).size).toBe(FIELDS.length);
});
