import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "./config/errors.js";
import { listEnvironments } from "./config/load.js";
import { diffTrees, formatDiff, isEmpty, readTree } from "./diff/semantic-diff.js";
import { OUTPUT_DIRS, synthesizeAll, synthesizeToDisk } from "./synth/pipeline.js";
import { formatProblem } from "./validate/problem.js";

function runSynth(root: string, envs: string[], check: boolean): number {
  const started = performance.now();
  const outcome = check ? synthesizeAll({ root, envs }) : synthesizeToDisk({ root, envs });
  for (const warning of outcome.warnings) process.stderr.write(`warning: ${warning}\n`);
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
  const text = formatDiff(report);
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
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
  process.stdout.write(`  total    median ${median(totals).toFixed(1)} ms (warm, in-process)\n`);
  // What a user waits for: a fresh `node` process that loads, builds and validates every env.
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, [process.argv[1]!, "synth", "--check", "--root", root], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`bench: synth --check failed: ${child.stderr}`);
    cold.push(performance.now() - started);
  }
  process.stdout.write(`  cold process (synth --check, all envs) median ${median(cold).toFixed(0)} ms (target: <= 1000 ms)\n`);
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
