/**
 * npm run validate [-- --root DIR] — checks the committed/synthesized manifests without a cluster.
 *
 *   dist/<env>/**.yaml   one environment each (objects validated together, so duplicates are caught per env)
 *   argocd/**.yaml       validated as one set
 *   flux/**.yaml         validated as one set
 *
 * kustomization.yaml files are not objects: instead `kubectl kustomize <dir>` must succeed for every directory
 * that has one. Prints one line per problem and a summary per set; exits 1 if anything is wrong.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadAll } from "js-yaml";
import { MIMIR_EXPAND_ENV_VARIABLES } from "../mimir/mimir-config.js";
import { kustomizeBuild } from "../validate/kustomize.js";
import { validateManifests, type ManifestFile } from "../validate/manifests.js";
import { formatProblem, type Problem } from "../validate/problem.js";

const { values: args } = parseArgs({ options: { root: { type: "string" } } });
/** Where dist/, argocd/ and flux/ are read from (default: this repo). */
const repoRoot = path.resolve(args.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", ".."));
/** CRD schemas always come from this checkout's committed imports/. */
const schemasDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "imports", "schemas");
/** Same allow-list the synth pipeline validates with: variables Mimir's -config.expand-env fills in on purpose. */
const placeholderAllow = new Set<string>(MIMIR_EXPAND_ENV_VARIABLES);
const KUSTOMIZATION_FILES = new Set(["kustomization.yaml", "kustomization.yml", "Kustomization"]);

interface ManifestSet {
  name: string;
  dir: string;
  files: string[];
}

function yamlFilesUnder(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...yamlFilesUnder(p, true));
    } else if (/\.ya?ml$/.test(entry.name) || entry.name === "Kustomization") {
      out.push(p);
    }
  }
  return out;
}

function discoverSets(): ManifestSet[] {
  const sets: ManifestSet[] = [];
  const dist = path.join(repoRoot, "dist");
  if (existsSync(dist)) {
    const loose = yamlFilesUnder(dist, false);
    if (loose.length) sets.push({ name: "dist", dir: dist, files: loose });
    for (const entry of readdirSync(dist).sort()) {
      const dir = path.join(dist, entry);
      if (!statSync(dir).isDirectory()) continue;
      sets.push({ name: `dist/${entry}`, dir, files: yamlFilesUnder(dir, true) });
    }
  }
  for (const top of ["argocd", "flux"]) {
    const dir = path.join(repoRoot, top);
    if (existsSync(dir)) {
      const files = yamlFilesUnder(dir, true);
      if (files.length) sets.push({ name: top, dir, files });
    }
  }
  return sets;
}

function validateSet(set: ManifestSet): { objects: number; problems: Problem[] } {
  const problems: Problem[] = [];
  const manifests: ManifestFile[] = [];
  const kustomizeDirs = new Set<string>();
  let objects = 0;
  for (const abs of set.files) {
    const rel = path.relative(repoRoot, abs);
    if (KUSTOMIZATION_FILES.has(path.basename(abs))) {
      kustomizeDirs.add(path.dirname(abs));
      continue;
    }
    let docs: unknown[];
    try {
      docs = loadAll(readFileSync(abs, "utf8"));
    } catch (err) {
      problems.push({ file: rel, message: `invalid YAML: ${(err as Error).message.split("\n")[0]}` });
      continue;
    }
    const present = docs.filter((d) => d !== null && d !== undefined);
    objects += present.length;
    manifests.push({ file: rel, objects: present });
  }
  problems.push(...validateManifests(manifests, { schemasDir, placeholderAllow }));
  for (const dir of [...kustomizeDirs].sort()) {
    const res = kustomizeBuild(dir);
    if (!res.ok) {
      const detail = res.stderr.trim().split("\n").slice(0, 5).join(" | ");
      problems.push({ file: path.relative(repoRoot, path.join(dir, "kustomization.yaml")), message: `kubectl kustomize failed: ${detail}` });
    }
  }
  return { objects, problems };
}

function main(): void {
  const started = performance.now();
  const sets = discoverSets();
  let failed = false;
  if (sets.length === 0) console.log("validate: no manifests under dist/, argocd/ or flux/ (nothing to check)");
  for (const set of sets) {
    const { objects, problems } = validateSet(set);
    for (const p of problems) console.log(formatProblem(p));
    if (problems.length) failed = true;
    console.log(
      problems.length
        ? `validate ${set.name}: ${objects} objects, ${problems.length} problem${problems.length === 1 ? "" : "s"}`
        : `validate ${set.name}: ${objects} objects ok`,
    );
  }
  if (process.env.VALIDATE_TIMING) console.log(`validate: ${(performance.now() - started).toFixed(0)} ms`);
  process.exit(failed ? 1 : 0);
}

main();
