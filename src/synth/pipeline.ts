import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../config/errors.js";
import { listOverlayDirectories, loadEnvironment } from "../config/load.js";
import { gitopsFiles, type GitopsInput } from "../gitops/gitops.js";
import { MIMIR_EXPAND_ENV_VARIABLES } from "../mimir/mimir-config.js";
import { validateManifests } from "../validate/manifests.js";
import type { SchemaResultCache } from "../validate/schema-cache.js";
import type { Problem } from "../validate/problem.js";
import { synthesizeEnvironment, type SynthesizedFile } from "./synthesize.js";
import { writeAtomically } from "./write.js";

export const OUTPUT_DIRS = ["dist", "argocd", "flux"] as const;

export interface SynthOptions {
  /** Repository root holding overlays/ and imports/. */
  readonly root: string;
  /** Environments to synthesize; all under overlays/ when empty. */
  readonly envs: readonly string[];
  /**
   * `--remove-env`: environments whose overlay directory was deleted on purpose. A full synth removes their
   * outputs (dist/<env>/, argocd/<env>.yaml, flux/<env>.yaml). Naming an environment that still has an overlay
   * directory, or one with nothing to remove, is a problem.
   */
  readonly removeEnvs?: readonly string[];
  /**
   * What a full synth does with the outputs of an environment that has no overlay directory and is not in
   * removeEnvs: "error" (default; GitOps with pruning would delete the running environment) or "remove"
   * (the semantic diff, which only reports what would change).
   */
  readonly orphanedOutputs?: "error" | "remove";
  /** Skips the schema checks of objects that passed them in an earlier run of the same build (CLI only). */
  readonly schemaCache?: SchemaResultCache;
}

export interface RemovedEnvironment {
  readonly env: string;
  /** Its existing outputs, repo-relative: `dist/<env>`, `argocd/<env>.yaml`, `flux/<env>.yaml`. */
  readonly paths: string[];
}

export interface SynthOutcome {
  /** Output file path (relative to root) → text. */
  readonly files: Map<string, string>;
  /** Top-level directories the files replace. */
  readonly targets: string[];
  readonly perEnv: { env: string; objects: number; ms: number }[];
  readonly warnings: string[];
  /** Environments whose outputs this synth removes (only with removeEnvs or orphanedOutputs: "remove"). */
  readonly removed: RemovedEnvironment[];
}

/**
 * The environments that have outputs: a directory under dist/, or a `<env>.yaml` file or `<env>/` directory
 * under argocd/ or flux/. Returns env → its existing output paths (repo-relative).
 */
export function environmentsWithOutputs(root: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (env: string, output: string) => found.set(env, [...(found.get(env) ?? []), output]);
  const entries = (dir: string) => (existsSync(path.join(root, dir)) ? readdirSync(path.join(root, dir), { withFileTypes: true }) : []);
  for (const entry of entries("dist")) {
    if (entry.isDirectory() && !entry.name.startsWith(".")) add(entry.name, `dist/${entry.name}`);
  }
  for (const dir of ["argocd", "flux"]) {
    for (const entry of entries(dir).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory()) add(entry.name, `${dir}/${entry.name}`);
      else if (entry.isFile() && entry.name.endsWith(".yaml")) add(entry.name.slice(0, -".yaml".length), `${dir}/${entry.name}`);
    }
  }
  return found;
}

/**
 * Which existing outputs a full synth would drop because their environment's overlay directory is gone, checked
 * against --remove-env: returns the environments to remove and the problems (an overlay-less environment not
 * named by --remove-env; --remove-env naming a live environment or one without outputs).
 */
function checkRemovedEnvironments(
  root: string,
  overlays: readonly string[],
  removeEnvs: readonly string[],
  orphanedOutputs: "error" | "remove",
): { removed: RemovedEnvironment[]; problems: Problem[] } {
  const outputs = environmentsWithOutputs(root);
  const problems: Problem[] = [];
  const removed: RemovedEnvironment[] = [];
  for (const env of [...new Set(removeEnvs)]) {
    if (overlays.includes(env)) {
      problems.push({
        file: `overlays/${env}`,
        message: `the overlay directory still exists, so --remove-env ${env} would remove a live environment; delete overlays/${env}/ first if ${env} is really to be removed, or drop --remove-env ${env}`,
      });
    } else if (!outputs.has(env)) {
      problems.push({
        file: `overlays/${env}`,
        message: `--remove-env ${env}: nothing to remove (no overlay directory and no dist/${env}, argocd/${env}.yaml or flux/${env}.yaml)`,
      });
    }
  }
  for (const [env, paths] of [...outputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (overlays.includes(env)) continue;
    if (removeEnvs.includes(env) || orphanedOutputs === "remove") {
      removed.push({ env, paths });
    } else {
      problems.push({
        file: `overlays/${env}`,
        message:
          `directory not found, but environment ${env} still has outputs (${paths.join(", ")}); synth would delete them and ` +
          `Argo CD/Flux with pruning would then delete the running environment. Restore overlays/${env}/, or pass ` +
          `--remove-env ${env} to remove the environment`,
      });
    }
  }
  return { removed, problems };
}

/**
 * Loads, builds and validates everything in memory. Throws ConfigError listing every problem;
 * nothing is written here.
 */
export function synthesizeAll(options: SynthOptions): SynthOutcome {
  const overlaysDir = path.join(options.root, "overlays");
  const overlays = listOverlayDirectories(overlaysDir);
  const full = options.envs.length === 0;
  const envs = full ? overlays : [...new Set(options.envs)];
  const removeEnvs = options.removeEnvs ?? [];
  const problems: Problem[] = [];
  for (const env of envs) {
    if (!overlays.includes(env)) {
      problems.push({ file: `overlays/${env}/config.yaml`, message: `no such environment (known: ${overlays.join(", ")})` });
    }
  }
  let removed: RemovedEnvironment[] = [];
  if (full) {
    const check = checkRemovedEnvironments(options.root, overlays, removeEnvs, options.orphanedOutputs ?? "error");
    removed = check.removed;
    problems.push(...check.problems);
  } else if (removeEnvs.length > 0) {
    problems.push({
      file: `overlays/${removeEnvs[0]}`,
      message: "--remove-env needs a full synth (it also removes argocd/ and flux/ files); drop --env",
    });
  }

  const files = new Map<string, string>();
  const perEnv: SynthOutcome["perEnv"] = [];
  const warnings: string[] = [];
  const gitopsInputs: GitopsInput[] = [];
  const schemasDir = path.join(options.root, "imports", "schemas");
  const validate = (validated: readonly SynthesizedFile[]) =>
    validateManifests(
      validated.filter((file) => file.objects.length > 0).map((file) => ({ file: file.path, objects: [...file.objects] })),
      { schemasDir, placeholderAllow: new Set(MIMIR_EXPAND_ENV_VARIABLES), schemaCache: options.schemaCache },
    );

  for (const env of envs) {
    if (!overlays.includes(env)) continue;
    const started = performance.now();
    try {
      const inputs = loadEnvironment(overlaysDir, env, options.root);
      const result = synthesizeEnvironment(inputs);
      gitopsInputs.push({ config: inputs.config, infra: inputs.infra, synthesized: result });
      problems.push(...validate(result.files));
      for (const file of result.files) files.set(file.path, file.text);
      warnings.push(...result.warnings);
      perEnv.push({ env, objects: result.objectCount, ms: performance.now() - started });
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
    }
  }
  // GitOps files need every environment's config; they are validated even when some manifests are not.
  if (full && gitopsInputs.length === envs.length) {
    const gitops = gitopsFiles(gitopsInputs);
    problems.push(...gitops.problems, ...validate(gitops.files));
    for (const file of gitops.files) files.set(file.path, file.text);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { files, targets: full ? [...OUTPUT_DIRS] : envs.map((env) => `dist/${env}`), perEnv, warnings, removed };
}

/**
 * The whole `npm run synth`: build and validate everything in memory, then swap the outputs in.
 * Throws ConfigError (and writes nothing) when any input or output is invalid.
 */
export function synthesizeToDisk(options: SynthOptions): SynthOutcome {
  const outcome = synthesizeAll(options);
  writeAtomically(options.root, outcome.targets, outcome.files);
  return outcome;
}
