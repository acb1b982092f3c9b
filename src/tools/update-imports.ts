/**
 * Regenerates the committed CRD bindings under imports/ from the reference CRDs in ../shared/crds.
 *
 *   npm run update-imports            (SHARED_DIR=/elsewhere/shared to override the location)
 *
 * Outputs:
 *   imports/<group>.ts          cdk8s construct classes, one module per API group (via `cdk8s import`)
 *   imports/schemas/<group>.json { "<apiVersion>": { "<Kind>": <openAPIV3Schema without descriptions> } }
 *
 * Only this script may read ../shared: synth and tests use the committed outputs. `cdk8s import` and `tsc` are
 * the project's own installs (node_modules/.bin), run offline.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadAll } from "js-yaml";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const sharedDir = process.env.SHARED_DIR ? path.resolve(process.env.SHARED_DIR) : path.resolve(repoRoot, "..", "shared");
const crdDir = path.join(sharedDir, "crds");
const importsDir = path.join(repoRoot, "imports");
const schemasDir = path.join(importsDir, "schemas");
const binDir = path.join(repoRoot, "node_modules", ".bin");
const cdk8sBin = path.join(binDir, "cdk8s");
const tscBin = path.join(binDir, "tsc");

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface CrdVersion {
  name: string;
  served?: boolean;
  schema?: { openAPIV3Schema?: JsonObject };
}
interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

function fail(message: string): never {
  console.error(`update-imports: ${message}`);
  process.exit(1);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads every CRD document from the shared directory, keyed by API group. */
function readCrds(): Map<string, Crd[]> {
  if (!existsSync(crdDir)) {
    fail(`reference CRDs not found at ${crdDir}. They live in the shared/ folder next to the repo ` +
      `(development and CI only); set SHARED_DIR to point at it.`);
  }
  const files = readdirSync(crdDir).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) fail(`no *.yaml files in ${crdDir}`);
  const byGroup = new Map<string, Crd[]>();
  for (const file of files) {
    const docs = loadAll(readFileSync(path.join(crdDir, file), "utf8"));
    for (const doc of docs) {
      if (!isObject(doc)) continue;
      if (doc.kind !== "CustomResourceDefinition") continue;
      const crd = doc as unknown as Crd;
      if (!crd.spec?.group || !crd.spec?.names?.kind || !Array.isArray(crd.spec.versions)) {
        fail(`${file}: CRD ${crd.metadata?.name ?? "?"} lacks spec.group, spec.names.kind or spec.versions`);
      }
      const list = byGroup.get(crd.spec.group) ?? [];
      list.push(crd);
      byGroup.set(crd.spec.group, list);
    }
  }
  for (const list of byGroup.values()) list.sort((a, b) => cmp(a.spec.names.kind, b.spec.names.kind));
  return byGroup;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Same CRD with versions that the API server does not serve dropped. */
function servedOnly(crd: Crd): Crd {
  return { ...crd, spec: { ...crd.spec, versions: crd.spec.versions.filter((v) => v.served !== false) } };
}

/**
 * Strips documentation from a schema node and sorts object keys. Only schema positions are walked, so a
 * property that happens to be *named* "description" survives; literal values (enum, default, example) are
 * copied with their keys sorted but otherwise untouched.
 */
function compactSchema(node: Json): Json {
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const key of Object.keys(node).sort()) {
    const value = node[key]!;
    if (key === "description") continue;
    switch (key) {
      case "properties":
      case "patternProperties":
      case "definitions":
        out[key] = isObject(value) ? mapSorted(value, compactSchema) : value;
        break;
      case "items":
        out[key] = Array.isArray(value) ? value.map(compactSchema) : compactSchema(value);
        break;
      case "additionalProperties":
      case "not":
        out[key] = compactSchema(value);
        break;
      case "allOf":
      case "anyOf":
      case "oneOf":
        out[key] = Array.isArray(value) ? value.map(compactSchema) : value;
        break;
      default:
        out[key] = sortKeysDeep(value);
    }
  }
  return out;
}

function mapSorted(obj: JsonObject, fn: (v: Json) => Json): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(obj).sort()) out[key] = fn(obj[key]!);
  return out;
}

function sortKeysDeep(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (isObject(v)) return mapSorted(v, sortKeysDeep);
  return v;
}

function buildSchemas(group: string, crds: Crd[]): string {
  const byVersion: Record<string, Record<string, Json>> = {};
  for (const crd of crds) {
    for (const version of crd.spec.versions) {
      if (version.served === false) continue;
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) fail(`${crd.metadata.name} ${version.name} has no openAPIV3Schema`);
      const apiVersion = `${group}/${version.name}`;
      (byVersion[apiVersion] ??= {})[crd.spec.names.kind] = compactSchema(schema);
    }
  }
  const sorted: JsonObject = {};
  for (const apiVersion of Object.keys(byVersion).sort()) {
    sorted[apiVersion] = mapSorted(byVersion[apiVersion] as JsonObject, (v) => v);
  }
  return JSON.stringify(sorted) + "\n";
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}\n${output}`));
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const byGroup = readCrds();
  const groups = [...byGroup.keys()].sort();
  const tmp = mkdtempSync(path.join(tmpdir(), "update-imports-"));
  mkdirSync(schemasDir, { recursive: true });
  try {
    // One multi-document file per group: `cdk8s import` rewrites imports/<group>.ts on each run, so every CRD
    // of a group has to be imported together. JSON documents are valid YAML, which keeps the file exact.
    const env = { ...process.env, CDK8S_CHECK_UPGRADE: "false" };
    await Promise.all(
      groups.map(async (group) => {
        const file = path.join(tmp, `${group}.yaml`);
        const crds = byGroup.get(group)!.map(servedOnly);
        writeFileSync(file, crds.map((c) => JSON.stringify(c)).join("\n---\n") + "\n");
        // Run from the temp dir: when started next to cdk8s.yaml, `cdk8s import` appends the source file to that
        // config's `imports:` list, which would leak temp paths into the committed cdk8s.yaml.
        const groupDir = path.join(tmp, group);
        mkdirSync(groupDir);
        await run(cdk8sBin, ["import", file, "--language", "typescript", "--output", importsDir], groupDir, env);
        if (!existsSync(path.join(importsDir, `${group}.ts`))) fail(`cdk8s import did not produce imports/${group}.ts`);
        console.log(`imports/${group}.ts  (${crds.map((c) => c.spec.names.kind).join(", ")})`);
      }),
    );

    // Validation schemas: rewrite the group files and drop any left over from groups that disappeared.
    const wanted = new Set(groups.map((g) => `${g}.json`));
    for (const f of readdirSync(schemasDir)) {
      if (f.endsWith(".json") && !wanted.has(f)) rmSync(path.join(schemasDir, f));
    }
    for (const group of groups) {
      const text = buildSchemas(group, byGroup.get(group)!);
      writeFileSync(path.join(schemasDir, `${group}.json`), text);
      console.log(`imports/schemas/${group}.json  (${(text.length / 1024).toFixed(0)} KiB)`);
    }

    // Type-check just the generated modules (the rest of the project may be mid-edit) with the repo's settings.
    const checkDir = path.join(repoRoot, ".tmp");
    mkdirSync(checkDir, { recursive: true });
    const tsconfig = path.join(checkDir, "tsconfig.imports.json");
    writeFileSync(tsconfig, JSON.stringify({
      extends: "../tsconfig.json",
      include: groups.map((g) => `../imports/${g}.ts`),
    }, null, 2));
    try {
      await run(tscBin, ["--noEmit", "-p", tsconfig], repoRoot);
    } catch (err) {
      fail(`generated imports do not type-check:\n${(err as Error).message}`);
    } finally {
      rmSync(tsconfig, { force: true });
    }
    console.log(`update-imports: ${groups.length} groups imported and type-checked in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
