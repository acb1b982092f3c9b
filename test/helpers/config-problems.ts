import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { load } from "js-yaml";
import { expect } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { readTree } from "../../src/diff/semantic-diff.js";
import { synthesizeToDisk } from "../../src/synth/pipeline.js";
import { formatProblem } from "../../src/validate/problem.js";
import { REPO_ROOT } from "./cli.js";

/** Each scratch repo's outputs as they were before any case ran (read once per scratch repo). */
const untouched = new Map<string, ReturnType<typeof readTree>>();

/**
 * Runs the real synth (in-process, writing to a scratch copy of the repo) with the config at `file`
 * edited by `edit`, asserts that it failed without touching dist/, argocd/ or flux/, and returns the
 * reported problems as `file: field.path: message` lines.
 */
export async function configProblems(scratchRoot: string, file: string, edit: (config: Record<string, any>) => void): Promise<string[]> {
  const text = readFileSync(path.join(REPO_ROOT, file), "utf8");
  if (!untouched.has(scratchRoot)) untouched.set(scratchRoot, readTree(scratchRoot, ["dist", "argocd", "flux"]));
  const before = await untouched.get(scratchRoot)!;
  const config = load(text) as Record<string, any>;
  edit(config);
  const target = path.join(scratchRoot, file);
  writeFileSync(target, JSON.stringify(config, null, 2));
  try {
    synthesizeToDisk({ root: scratchRoot, envs: [] });
    throw new Error("synth accepted the broken config");
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(await readTree(scratchRoot, ["dist", "argocd", "flux"])).toEqual(before);
    return error.problems.map(formatProblem);
  } finally {
    writeFileSync(target, text);
  }
}
