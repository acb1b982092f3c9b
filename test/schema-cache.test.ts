import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateManifests } from "../src/validate/manifests.js";
import { SchemaResultCache } from "../src/validate/schema-cache.js";
import { REPO_ROOT } from "./helpers/cli.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "schema-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const schemasDir = path.join(REPO_ROOT, "imports", "schemas");
const configMap = (data: Record<string, string>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n" }, data });

describe("schema result cache", () => {
  it("remembers only objects that passed, per build, and a changed object is checked again", () => {
    const file = path.join(dir, "cache.json");
    const good = configMap({ a: "1" });
    const bad = { ...configMap({ a: "1" }), spec: { unknown: true } };
    const first = new SchemaResultCache(file, "build-1");
    const problems = validateManifests([{ file: "x.yaml", objects: [good, bad] }], { schemasDir, schemaCache: first });
    expect(problems.map((p) => p.path)).toContain("spec");
    expect(first.has(first.key(good))).toBe(true);
    expect(first.has(first.key(bad))).toBe(false);
    first.save();

    const again = new SchemaResultCache(file, "build-1");
    expect(again.has(again.key(good))).toBe(true);
    // Still reported on the second run: a failing object is never remembered.
    expect(validateManifests([{ file: "x.yaml", objects: [bad] }], { schemasDir, schemaCache: again }).map((p) => p.path)).toContain("spec");
    // Any edit changes the key.
    expect(again.has(again.key(configMap({ a: "2" })))).toBe(false);
    // Another build (code, schemas or lockfile changed) starts empty.
    expect(new SchemaResultCache(file, "build-2").has(again.key(good))).toBe(false);
  });

  it("skips only the schema checks: name, duplicate and placeholder checks still run for cached objects", () => {
    const cache = new SchemaResultCache(path.join(dir, "other.json"), "b");
    const object = configMap({ a: "${UNSET}" });
    cache.add(cache.key(object));
    const problems = validateManifests([{ file: "x.yaml", objects: [object, object] }], { schemasDir, schemaCache: cache, placeholderAllow: new Set() });
    expect(problems.map((p) => p.message).join("\n")).toMatch(/duplicate object/);
    expect(problems.map((p) => p.message).join("\n")).toMatch(/UNSET/);
  });
});
