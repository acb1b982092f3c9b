import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "./config/errors.js";
import { listEnvironments, loadEnvironment } from "./config/load.js";
import { diffTrees, formatDiff, isEmpty, readTree } from "./diff/semantic-diff.js";
import { gitopsFiles } from "./gitops/gitops.js";
import { MIMIR_EXPAND_ENV_VARIABLES } from "./mimir/mimir-config.js";
import { synthesizeEnvironment, type SynthesizedFile } from "./synth/synthesize.js";
import { writeAtomically } from "./synth/write.js";
import { validateManifests } from "./validate/manifests.js";
import { formatProblem, type Problem } from "./validate/problem.js";

const OUTPUT_DIRS = ["dist", "argocd", "flux"] as const;

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
  const configs = [];
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

function runSynth(root: string, envs: string[], check: boolean): number {
  const started = performance.now();
  const outcome = synthesizeAll({ root, envs });
  for (const warning of outcome.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (!check) writeAtomically(root, outcome.targets, outcome.files);
  for (const { env, objects, ms } of outcome.perEnv) {
    process.stdout.write(`synth ${env}: ${objects} objects in ${ms.toFixed(0)} ms → dist/${env}/\n`);
  }
  process.stdout.write(
    `synth: ${outcome.files.size} files ${check ? "checked" : "written"} in ${(performance.now() - started).toFixed(0)} ms\n`,
  );
  return 0;
}

async function runDiff(root: string): Promise<number> {
  const outcome = synthesizeAll({ root, envs: [] });
  for (const warning of outcome.warnings) process.stderr.write(`warning: ${warning}\n`);
  const committed = await readTree(root, [...OUTPUT_DIRS]);
  const report = diffTrees(committed, outcome.files);
  if (isEmpty(report)) return 0;
  process.stdout.write(formatDiff(report));
  return 1;
}

function runBench(root: string, iterations: number): number {
  const envs = listEnvironments(path.join(root, "overlays"));
  const timings = new Map<string, number[]>();
  const totals: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    const outcome = synthesizeAll({ root, envs: [] });
    totals.push(performance.now() - started);
    for (const { env, ms } of outcome.perEnv) timings.set(env, [...(timings.get(env) ?? []), ms]);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  process.stdout.write(`bench: ${iterations} in-process runs (first run includes module warm-up: ${totals[0]!.toFixed(0)} ms)\n`);
  for (const env of envs) process.stdout.write(`  ${env.padEnd(8)} median ${median(timings.get(env) ?? [0]).toFixed(1)} ms\n`);
  process.stdout.write(`  total    median ${median(totals).toFixed(1)} ms (target: all envs <= 1000 ms)\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command = "synth", ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      env: { type: "string", multiple: true, default: [] },
      root: { type: "string", default: process.cwd() },
      check: { type: "boolean", default: false },
      iterations: { type: "string", default: "10" },
    },
    allowPositionals: false,
  });
  const root = path.resolve(values.root);
  if (!existsSync(path.join(root, "overlays")) || readdirSync(path.join(root, "overlays")).length === 0) {
    process.stderr.write(`error: ${root}/overlays: no environments found\n`);
    return 2;
  }
  switch (command) {
    case "synth":
      return runSynth(root, values.env, values.check);
    case "diff":
      return runDiff(root);
    case "bench":
      return runBench(root, Number(values.iterations));
    default:
      process.stderr.write(`usage: main.mjs synth|diff|bench [--env NAME]... [--root DIR] [--check]\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`error: ${formatProblem(problem)}\n`);
      process.stderr.write(`synth: ${error.problems.length} problem(s); nothing was written\n`);
    } else {
      process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
