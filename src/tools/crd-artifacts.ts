/**
 * Building blocks shared by the generators that turn CustomResourceDefinitions into committed artifacts under
 * imports/ (`update-imports` for the CRDs in ../shared/crds, `update-rollout-operator-crds` for the CRDs vendored
 * from the rollout-operator repository). Keeping them in one place guarantees that every
 * imports/schemas/<group>.json has the exact format src/validate/crd-schema.ts reads.
 *
 * Maintainer tooling only: nothing in synth or the tests imports this module.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const IMPORTS_DIR = path.join(REPO_ROOT, "imports");
export const SCHEMAS_DIR = path.join(IMPORTS_DIR, "schemas");
/**
 * CRDs vendored from upstream projects that are not part of ../shared/crds, one multi-document YAML file per API
 * group (`imports/crds/<group>.yaml`), each with its own update script. update-imports leaves their schemas alone.
 */
export const VENDORED_CRDS_DIR = path.join(IMPORTS_DIR, "crds");

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JsonObject };
}
export interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { group: string; names: { kind: string; plural?: string }; scope?: string; versions: CrdVersion[] };
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The CRD documents among parsed YAML documents; throws when one lacks the fields the generators rely on. */
export function crdDocuments(docs: readonly unknown[], source: string): Crd[] {
  const crds: Crd[] = [];
  for (const doc of docs) {
    if (!isObject(doc) || doc.kind !== "CustomResourceDefinition") continue;
    const crd = doc as unknown as Crd;
    if (!crd.spec?.group || !crd.spec?.names?.kind || !Array.isArray(crd.spec.versions)) {
      throw new Error(`${source}: CRD ${crd.metadata?.name ?? "?"} lacks spec.group, spec.names.kind or spec.versions`);
    }
    crds.push(crd);
  }
  return crds;
}

/** API groups that have a vendored CRD file in imports/crds/. */
export function vendoredCrdGroups(): string[] {
  if (!existsSync(VENDORED_CRDS_DIR)) return [];
  return readdirSync(VENDORED_CRDS_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
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

/**
 * Strips documentation from a schema node and sorts object keys. Only schema positions are walked, so a
 * property that happens to be *named* "description" survives; literal values (enum, default, example) are
 * copied with their keys sorted but otherwise untouched.
 */
export function compactSchema(node: Json): Json {
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

/**
 * The API server accepts `apiVersion`, `kind` and `metadata` on every custom resource whether or not the CRD's
 * schema lists them (controller-gen CRDs do, hand-written ones such as the rollout-operator's do not). The
 * validator rejects undeclared fields, so a root schema that declares properties but not these gets them added
 * here, with the types the API server gives them. Schemas that already declare them are returned unchanged.
 */
function withImplicitRootFields(schema: Json): Json {
  if (!isObject(schema) || !isObject(schema.properties)) return schema;
  const implicit: JsonObject = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" } };
  const missing = Object.keys(implicit).filter((k) => !(k in (schema.properties as JsonObject)));
  if (missing.length === 0) return schema;
  const properties: JsonObject = { ...schema.properties };
  for (const key of missing) properties[key] = implicit[key]!;
  return { ...schema, properties: mapSorted(properties, (v) => v) };
}

/** imports/schemas/<group>.json text: { "<apiVersion>": { "<Kind>": <openAPIV3Schema without descriptions> } }. */
export function buildSchemas(group: string, crds: readonly Crd[]): string {
  const byVersion: Record<string, JsonObject> = {};
  for (const crd of crds) {
    for (const version of crd.spec.versions) {
      if (version.served === false) continue;
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) throw new Error(`${crd.metadata.name} ${version.name} has no openAPIV3Schema`);
      const apiVersion = `${group}/${version.name}`;
      (byVersion[apiVersion] ??= {})[crd.spec.names.kind] = withImplicitRootFields(compactSchema(schema));
    }
  }
  const sorted: JsonObject = {};
  for (const apiVersion of Object.keys(byVersion).sort()) sorted[apiVersion] = mapSorted(byVersion[apiVersion]!, (v) => v);
  return JSON.stringify(sorted) + "\n";
}

/** Runs a command without a shell; resolves with its combined output, rejects on a non-zero exit. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
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

/**
 * Type-checks just the given generated modules (paths relative to the repo root) with the repo's compiler
 * settings, so a half-edited file elsewhere in the tree cannot fail the generator.
 */
export async function typeCheckModules(files: readonly string[]): Promise<void> {
  const checkDir = path.join(REPO_ROOT, ".tmp");
  mkdirSync(checkDir, { recursive: true });
  const tsconfig = path.join(checkDir, `tsconfig.generated-${process.pid}.json`);
  writeFileSync(tsconfig, JSON.stringify({ extends: "../tsconfig.json", include: files.map((f) => `../${f}`) }, null, 2));
  try {
    await run(path.join(REPO_ROOT, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", tsconfig], REPO_ROOT);
  } finally {
    rmSync(tsconfig, { force: true });
  }
}
