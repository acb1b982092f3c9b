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
 *
 * API groups vendored into imports/crds/<group>.yaml (e.g. rollout-operator.grafana.com, written by
 * `npm run update-rollout-operator-crds`) are owned by their own scripts: their schemas are kept, and the same group
 * appearing in ../shared/crds as well is an error. The schema format comes from ./crd-artifacts.ts, shared by both.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadAll } from "js-yaml";
import {
  buildSchemas,
  cmp,
  crdDocuments,
  IMPORTS_DIR as importsDir,
  REPO_ROOT as repoRoot,
  run,
  SCHEMAS_DIR as schemasDir,
  typeCheckModules,
  vendoredCrdGroups,
  type Crd,
} from "./crd-artifacts.js";

const sharedDir = process.env.SHARED_DIR ? path.resolve(process.env.SHARED_DIR) : path.resolve(repoRoot, "..", "shared");
const crdDir = path.join(sharedDir, "crds");
const cdk8sBin = path.join(repoRoot, "node_modules", ".bin", "cdk8s");

function fail(message: string): never {
  console.error(`update-imports: ${message}`);
  process.exit(1);
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
    let crds: Crd[];
    try {
      crds = crdDocuments(loadAll(readFileSync(path.join(crdDir, file), "utf8")), file);
    } catch (err) {
      fail((err as Error).message);
    }
    for (const crd of crds) {
      const list = byGroup.get(crd.spec.group) ?? [];
      list.push(crd);
      byGroup.set(crd.spec.group, list);
    }
  }
  for (const list of byGroup.values()) list.sort((a, b) => cmp(a.spec.names.kind, b.spec.names.kind));
  return byGroup;
}

/** Same CRD with versions that the API server does not serve dropped. */
function servedOnly(crd: Crd): Crd {
  return { ...crd, spec: { ...crd.spec, versions: crd.spec.versions.filter((v) => v.served !== false) } };
}

async function main(): Promise<void> {
  const started = Date.now();
  const byGroup = readCrds();
  const groups = [...byGroup.keys()].sort();
  // Groups vendored into imports/crds/ have their own update script; the two sources must not overlap.
  const vendored = vendoredCrdGroups();
  const overlap = groups.filter((g) => vendored.includes(g));
  if (overlap.length > 0) {
    fail(`${overlap.join(", ")} found both in ${crdDir} and in imports/crds/; keep one source per API group`);
  }
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

    // Validation schemas: rewrite the group files and drop any left over from groups that disappeared (the
    // vendored groups' schemas belong to their own update scripts and are kept).
    const wanted = new Set([...groups, ...vendored].map((g) => `${g}.json`));
    for (const f of readdirSync(schemasDir)) {
      if (f.endsWith(".json") && !wanted.has(f)) rmSync(path.join(schemasDir, f));
    }
    for (const group of groups) {
      const text = buildSchemas(group, byGroup.get(group)!);
      writeFileSync(path.join(schemasDir, `${group}.json`), text);
      console.log(`imports/schemas/${group}.json  (${(text.length / 1024).toFixed(0)} KiB)`);
    }

    // Type-check just the generated modules (the rest of the project may be mid-edit) with the repo's settings.
    try {
      await typeCheckModules(groups.map((g) => `imports/${g}.ts`));
    } catch (err) {
      fail(`generated imports do not type-check:\n${(err as Error).message}`);
    }
    console.log(`update-imports: ${groups.length} groups imported and type-checked in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
