import path from "node:path";
import { ConfigError } from "../config/errors.js";
import { listEnvironments, loadEnvironment } from "../config/load.js";
import type { PlatformConfig } from "../config/schema.js";
import { gitopsFiles } from "../gitops/gitops.js";
import { MIMIR_EXPAND_ENV_VARIABLES } from "../mimir/mimir-config.js";
import { validateManifests } from "../validate/manifests.js";
import type { Problem } from "../validate/problem.js";
import { synthesizeEnvironment, type SynthesizedFile } from "./synthesize.js";
import { writeAtomically } from "./write.js";

export const OUTPUT_DIRS = ["dist", "argocd", "flux"] as const;

export interface SynthOptions {
  /** Repository root holding overlays/ and imports/. */
  readonly root: string;
  /** Environments to synthesize; all under overlays/ when empty. */
  readonly envs: readonly string[];
}

export interface SynthOutcome {
  /** Output file path (relative to root) → text. */
  readonly files: Map<string, string>;
  /** Top-level directories the files replace. */
  readonly targets: string[];
  readonly perEnv: { env: string; objects: number; ms: number }[];
  readonly warnings: string[];
}

/**
 * Loads, builds and validates everything in memory. Throws ConfigError listing every problem;
 * nothing is written here.
 */
export function synthesizeAll(options: SynthOptions): SynthOutcome {
  const overlaysDir = path.join(options.root, "overlays");
  const available = listEnvironments(overlaysDir);
  const full = options.envs.length === 0;
  const envs = full ? available : [...options.envs];
  const problems: Problem[] = [];
  for (const env of envs) {
    if (!available.includes(env)) {
      problems.push({ file: `overlays/${env}/config.yaml`, message: `no such environment (known: ${available.join(", ")})` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const files = new Map<string, string>();
  const perEnv: SynthOutcome["perEnv"] = [];
  const warnings: string[] = [];
  const configs: PlatformConfig[] = [];
  const schemasDir = path.join(options.root, "imports", "schemas");
  const validate = (validated: readonly SynthesizedFile[]) =>
    validateManifests(
      validated.filter((file) => file.objects.length > 0).map((file) => ({ file: file.path, objects: [...file.objects] })),
      { schemasDir, placeholderAllow: new Set(MIMIR_EXPAND_ENV_VARIABLES) },
    );

  for (const env of envs) {
    const started = performance.now();
    try {
      const inputs = loadEnvironment(overlaysDir, env, options.root);
      configs.push(inputs.config);
      const result = synthesizeEnvironment(inputs);
      problems.push(...validate(result.files));
      for (const file of result.files) files.set(file.path, file.text);
      warnings.push(...result.warnings);
      perEnv.push({ env, objects: result.objectCount, ms: performance.now() - started });
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (full && problems.length === 0) {
    const gitops = gitopsFiles(configs);
    problems.push(...validate(gitops));
    for (const file of gitops) files.set(file.path, file.text);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { files, targets: full ? [...OUTPUT_DIRS] : envs.map((env) => `dist/${env}`), perEnv, warnings };
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
