import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError } from "./config/errors.js";
import { diffTrees, formatDiff, isEmpty, readTree } from "./diff/semantic-diff.js";
import { formatLayerSummary } from "./diff/layers.js";
import { DR_FAILOVER_DOC, renderDrFailoverDoc } from "./gitops/dr-failover.js";
import { runBench } from "./synth/bench.js";
import { OUTPUT_DIRS, synthesizeAll, type SynthOutcome } from "./synth/pipeline.js";
import { writeAtomically } from "./synth/write.js";
import { formatProblem } from "./validate/problem.js";
import { SchemaResultCache } from "./validate/schema-cache.js";

/**
 * The schema-result cache of the bundle being run, stored next to it: only a bundle built by
 * src/tools/build.mjs carries its input hash in its first line, so runs from sources (tests, tsx)
 * and unknown builds always validate everything.
 */
function schemaCacheOfThisBuild(): SchemaResultCache | undefined {
  if (process.env.SYNTH_SCHEMA_CACHE === "off") return undefined;
  const bundle = fileURLToPath(import.meta.url);
  let head = "";
  try {
    const fd = openSync(bundle, "r");
    const buffer = Buffer.alloc(64);
    head = buffer.subarray(0, readSync(fd, buffer, 0, 64, 0)).toString("latin1");
    closeSync(fd);
  } catch {
    return undefined;
  }
  const match = /^\/\/ build-inputs-sha1: ([0-9a-f]{40})\n/.exec(head);
  return match ? new SchemaResultCache(path.join(path.dirname(bundle), "schema-cache.json"), match[1]!) : undefined;
}

function runSynth(root: string, envs: string[], removeEnvs: string[], check: boolean): number {
  const started = performance.now();
  const schemaCache = schemaCacheOfThisBuild();
  const outcome = synthesizeAll({ root, envs, removeEnvs, schemaCache });
  if (!check) writeAtomically(root, outcome.targets, outcome.files);
  schemaCache?.save();
  for (const warning of outcome.warnings) process.stderr.write(`warning: ${warning}\n`);
  for (const { env, paths } of outcome.removed) {
    process.stderr.write(
      `synth: ${check ? "would remove" : "removed"} environment ${env} (${paths.join(", ")}) as asked by --remove-env\n`,
    );
  }
  for (const { env, objects, ms } of outcome.perEnv) {
    process.stdout.write(`synth ${env}: ${objects} objects in ${ms.toFixed(0)} ms → dist/${env}/\n`);
  }
  process.stdout.write(
    `synth: ${outcome.files.size} files ${check ? "checked" : "written"} in ${(performance.now() - started).toFixed(0)} ms\n`,
  );
  return 0;
}

async function runDiff(root: string): Promise<number> {
  // Outputs of a deleted overlay show up as removed files, which is what a review needs to see.
  const outcome: SynthOutcome = synthesizeAll({ root, envs: [], orphanedOutputs: "remove" });
  for (const warning of outcome.warnings) process.stderr.write(`warning: ${warning}\n`);
  const committed = await readTree(root, [...OUTPUT_DIRS]);
  const report = diffTrees(committed, outcome.files);
  if (isEmpty(report)) return 0;
  const text = [formatDiff(report), ...formatLayerSummary(report)].join("\n");
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  return 1;
}

/** `npm run docs`: regenerates docs/dr-failover.md from the model (`--check`: exit 1 when the committed one differs). */
function runDocs(root: string, check: boolean): number {
  const text = renderDrFailoverDoc(root);
  const file = path.join(root, DR_FAILOVER_DOC);
  const current = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  if (current === text) return 0;
  if (check) {
    process.stderr.write(`${DR_FAILOVER_DOC} differs from the model; run npm run docs and commit it\n`);
    return 1;
  }
  writeFileSync(file, text);
  process.stdout.write(`docs: wrote ${DR_FAILOVER_DOC}\n`);
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
      "remove-env": { type: "string", multiple: true, default: [] },
      iterations: { type: "string", default: "10" },
      runs: { type: "string", default: "5" },
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
      return runSynth(root, values.env, values["remove-env"], values.check);
    case "diff":
      return runDiff(root);
    case "docs":
      return runDocs(root, values.check);
    case "bench":
      return runBench(root, { iterations: Number(values.iterations), runs: Number(values.runs) });
    default:
      process.stderr.write(
        `usage: main.mjs synth|diff|docs|bench [--env NAME]... [--remove-env NAME]... [--root DIR] [--check] [--iterations N] [--runs N]\n`,
      );
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
