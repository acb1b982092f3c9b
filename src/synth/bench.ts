/**
 * `npm run bench`: what synth costs, three ways.
 *
 * 1. In-process, warm: synthesizeAll repeated in this process (per environment and total, medians).
 * 2. The whole command as a user runs it: `npm run --silent synth -- --root <scratch>` in a fresh process each
 *    time (npm, the build check of src/tools/build.mjs, loading the bundle, synth, writing), into a scratch copy
 *    of the repository so the real dist/ is left alone. Median of --runs runs, after one untimed run.
 * 3. The same command on a scratch copy whose prod config has 1,000 tenants (997 generated ones with limits and
 *    gateway token references added to overlays/prod/config.yaml), and its ratio to (2). The runs of (2) and
 *    (3) alternate, so load from other processes affects both alike.
 *
 * Timings are printed next to their targets; nothing asserts on them.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { dump, load } from "js-yaml";
import { listEnvironments } from "../config/load.js";
import { OUTPUT_DIRS, synthesizeAll } from "./pipeline.js";

const WHOLE_COMMAND_TARGET_MS = 1000;
const WHOLE_COMMAND_STRETCH_MS = 600;
const TENANTS = 1000;
const TENANT_RATIO_TARGET = 1.5;

export interface BenchOptions {
  /** In-process iterations. */
  readonly iterations: number;
  /** Cold whole-command runs per configuration. */
  readonly runs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A scratch root with copies of overlays/ and the committed outputs, and imports/ linked (only read). */
function scratchRoot(root: string): string {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "platform-bench-"));
  for (const dir of ["overlays", ...OUTPUT_DIRS]) {
    if (existsSync(path.join(root, dir))) cpSync(path.join(root, dir), path.join(scratch, dir), { recursive: true });
  }
  symlinkSync(path.join(root, "imports"), path.join(scratch, "imports"));
  return scratch;
}

/**
 * Rewrites <scratch>/overlays/prod/config.yaml to hold `TENANTS` tenants: the existing ones plus generated
 * ones, each with a retention, per-tenant limits and a gateway token reference.
 */
function addTenants(scratch: string, env = "prod"): number {
  const file = path.join(scratch, "overlays", env, "config.yaml");
  const config = load(readFileSync(file, "utf8")) as {
    tenants: Record<string, unknown>[];
    gateway?: { tokens?: { tenant: string; remoteKey: string; property?: string }[] };
  };
  const remoteKey = config.gateway?.tokens?.[0]?.remoteKey ?? `observability/${env}/gateway-tokens`;
  for (let i = config.tenants.length + 1; i <= TENANTS; i++) {
    const id = `bench-tenant-${String(i).padStart(4, "0")}`;
    config.tenants.push({
      id,
      retention: `${30 + (i % 60)}d`,
      limits: { ingestion_rate: 10_000 + i, ingestion_burst_size: 200_000 + i, max_global_series_per_user: 100_000 + i },
    });
    config.gateway?.tokens?.push({ tenant: id, remoteKey, property: id });
  }
  writeFileSync(file, dump(config, { lineWidth: -1 }));
  return config.tenants.length;
}

/** Runs `npm run --silent synth -- --root <scratch>` from the package directory once; wall-clock ms. */
function timeWholeCommand(packageDir: string, scratch: string): number {
  const started = performance.now();
  const child = spawnSync("npm", ["run", "--silent", "synth", "--", "--root", scratch], { cwd: packageDir, encoding: "utf8" });
  const elapsed = performance.now() - started;
  if (child.status !== 0) throw new Error(`bench: npm run synth -- --root ${scratch} failed (exit ${child.status}):\n${child.stderr}`);
  return elapsed;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

export function runBench(root: string, options: BenchOptions): number {
  const iterations = Math.max(1, options.iterations);
  const runs = Math.max(1, options.runs);
  // The bundle is .build/main.mjs; its package (package.json, src/tools/build.mjs) is one level up.
  const packageDir = path.resolve(path.dirname(process.argv[1]!), "..");

  // 1. In-process, warm.
  const envs = listEnvironments(path.join(root, "overlays"));
  const timings = new Map<string, number[]>();
  const totals: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    const outcome = synthesizeAll({ root, envs: [] });
    totals.push(performance.now() - started);
    for (const { env, ms: envMs } of outcome.perEnv) timings.set(env, [...(timings.get(env) ?? []), envMs]);
  }
  process.stdout.write(`bench: in-process, ${iterations} runs (the first includes module warm-up: ${ms(totals[0]!)})\n`);
  for (const env of envs) process.stdout.write(`  ${env.padEnd(8)} median ${median(timings.get(env) ?? [0]).toFixed(1)} ms\n`);
  process.stdout.write(`  total    median ${median(totals).toFixed(1)} ms (warm)\n`);

  // 2. and 3. The whole command, cold, into scratch roots.
  const normal = scratchRoot(root);
  const many = scratchRoot(root);
  try {
    const tenantCount = addTenants(many);
    // One untimed run each (it also makes sure the bundle is built), then alternate the two configurations
    // so that load from other processes hits both alike.
    timeWholeCommand(packageDir, normal);
    timeWholeCommand(packageDir, many);
    const base: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < runs; i++) {
      base.push(timeWholeCommand(packageDir, normal));
      large.push(timeWholeCommand(packageDir, many));
    }
    const baseMedian = median(base);
    const largeMedian = median(large);
    const ratio = largeMedian / baseMedian;
    process.stdout.write(`bench: whole command \`npm run synth\` (fresh process, build check included, writing to a scratch root), ${runs} runs\n`);
    process.stdout.write(
      `  all environments   median ${ms(baseMedian)} (min ${ms(Math.min(...base))}, max ${ms(Math.max(...base))}); ` +
        `target <= ${WHOLE_COMMAND_TARGET_MS} ms, stretch <= ${WHOLE_COMMAND_STRETCH_MS} ms: ` +
        `${baseMedian <= WHOLE_COMMAND_STRETCH_MS ? "ok (stretch met)" : baseMedian <= WHOLE_COMMAND_TARGET_MS ? "ok" : "MISSED"}\n`,
    );
    process.stdout.write(
      `  ${tenantCount} tenants (prod) median ${ms(largeMedian)} (min ${ms(Math.min(...large))}, max ${ms(Math.max(...large))})\n`,
    );
    process.stdout.write(
      `  ${tenantCount}-tenant ratio  ${ratio.toFixed(2)}x; target <= ${TENANT_RATIO_TARGET}x: ${ratio <= TENANT_RATIO_TARGET ? "ok" : "MISSED"}\n`,
    );
  } finally {
    rmSync(normal, { recursive: true, force: true });
    rmSync(many, { recursive: true, force: true });
  }
  return 0;
}
