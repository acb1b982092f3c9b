import { existsSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readTree } from "../src/diff/semantic-diff.js";
import { runCli, scratchRepo } from "./helpers/cli.js";

/**
 * Deleting an overlay must never silently delete an environment: synth would drop dist/<env>/,
 * argocd/<env>.yaml and flux/<env>.yaml, and Argo CD/Flux with pruning would then delete what runs in the
 * cluster. Removing an environment takes an explicit `--remove-env <env>`.
 */
describe("removing an environment (through the real CLI, in a scratch repo)", () => {
  let scratch: ReturnType<typeof scratchRepo>;
  let committed: Map<string, string>;
  const outputs = () => readTree(scratch.root, ["dist", "argocd", "flux"]);
  const overlay = (env: string) => path.join(scratch.root, "overlays", env);
  const errorLines = (stderr: string) => stderr.split("\n").filter((line) => !line.startsWith("warning: ") && line !== "");
  /** The outputs synth names for an environment, as they exist in the scratch repo (`dist/prod, argocd/prod.yaml, …`). */
  const outputsOf = (env: string) =>
    [`dist/${env}`, `argocd/${env}`, `argocd/${env}.yaml`, `flux/${env}`, `flux/${env}.yaml`]
      .filter((output) => existsSync(path.join(scratch.root, output)))
      .join(", ");

  beforeEach(async () => {
    scratch = scratchRepo();
    committed = await outputs();
  });
  afterEach(() => scratch.cleanup());

  it("refuses an overlay directory without config.yaml, names it, and writes nothing", async () => {
    rmSync(path.join(overlay("prod"), "config.yaml"));
    const result = runCli(["synth", "--root", scratch.root]);
    expect(result.status).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      "error: overlays/prod/config.yaml: file not found (the overlay directory exists; restore the file, or delete the directory and pass --remove-env prod to remove the environment)",
      "synth: 1 problem(s); nothing was written",
    ]);
    expect(await outputs()).toEqual(committed);
  });

  it("refuses to drop the outputs of an environment whose overlay directory is gone", async () => {
    rmSync(overlay("prod"), { recursive: true });
    const result = runCli(["synth", "--root", scratch.root]);
    expect(result.status).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      `error: overlays/prod: directory not found, but environment prod still has outputs (${outputsOf("prod")}); ` +
        "synth would delete them and Argo CD/Flux with pruning would then delete the running environment. " +
        "Restore overlays/prod/, or pass --remove-env prod to remove the environment",
      "synth: 1 problem(s); nothing was written",
    ]);
    expect(await outputs()).toEqual(committed);

    const check = runCli(["synth", "--check", "--root", scratch.root]);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("error: overlays/prod: directory not found");
  });

  it("removes the environment's outputs with --remove-env and says so on stderr", async () => {
    rmSync(overlay("prod"), { recursive: true });
    const prodOutputs = outputsOf("prod");
    expect(prodOutputs).toMatch(/^dist\/prod, .*argocd\/prod\.yaml, .*flux\/prod\.yaml$/);
    const result = runCli(["synth", "--remove-env", "prod", "--root", scratch.root]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`synth: removed environment prod (${prodOutputs}) as asked by --remove-env\n`);
    expect(result.stdout).not.toContain("synth prod:");
    expect(outputsOf("prod")).toBe("");
    const expected = new Map([...committed].filter(([file]) => !/^(dist\/prod\/|argocd\/prod\/|flux\/prod\/|argocd\/prod\.yaml$|flux\/prod\.yaml$)/.test(file)));
    expect(await outputs()).toEqual(expected);

    // Done: a plain synth is happy again, and --remove-env prod now has nothing to remove.
    expect(runCli(["synth", "--root", scratch.root]).status).toBe(0);
    const again = runCli(["synth", "--remove-env", "prod", "--root", scratch.root]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("error: overlays/prod: --remove-env prod: nothing to remove");
  });

  it("--check with --remove-env reports what would be removed and writes nothing", async () => {
    rmSync(overlay("dev"), { recursive: true });
    const result = runCli(["synth", "--check", "--remove-env", "dev", "--root", scratch.root]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`synth: would remove environment dev (${outputsOf("dev")}) as asked by --remove-env\n`);
    expect(await outputs()).toEqual(committed);
  });

  it("refuses --remove-env for an environment that still has its overlay", async () => {
    const result = runCli(["synth", "--remove-env", "prod", "--root", scratch.root]);
    expect(result.status).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      "error: overlays/prod: the overlay directory still exists, so --remove-env prod would remove a live environment; " +
        "delete overlays/prod/ first if prod is really to be removed, or drop --remove-env prod",
      "synth: 1 problem(s); nothing was written",
    ]);
    expect(await outputs()).toEqual(committed);
  });

  it("reports every problem at once: a missing config.yaml, a deleted overlay and a bad --remove-env", async () => {
    rmSync(path.join(overlay("dev"), "config.yaml"));
    renameSync(overlay("dr"), path.join(scratch.root, "dr-moved-away"));
    const result = runCli(["synth", "--remove-env", "local", "--root", scratch.root]);
    expect(result.status).toBe(1);
    const lines = errorLines(result.stderr);
    expect(lines[lines.length - 1]).toBe("synth: 3 problem(s); nothing was written");
    expect(lines.filter((line) => line.startsWith("error: "))).toEqual([
      "error: overlays/local: the overlay directory still exists, so --remove-env local would remove a live environment; delete overlays/local/ first if local is really to be removed, or drop --remove-env local",
      `error: overlays/dr: directory not found, but environment dr still has outputs (${outputsOf("dr")}); synth would delete them and Argo CD/Flux with pruning would then delete the running environment. Restore overlays/dr/, or pass --remove-env dr to remove the environment`,
      "error: overlays/dev/config.yaml: file not found (the overlay directory exists; restore the file, or delete the directory and pass --remove-env dev to remove the environment)",
    ]);
    expect(await outputs()).toEqual(committed);
  });

  it("--env keeps synthesizing only the named environments, whatever happened to other overlays", async () => {
    rmSync(overlay("prod"), { recursive: true });
    const result = runCli(["synth", "--env", "dev", "--root", scratch.root]);
    expect(result.status, result.stderr).toBe(0);
    expect(await outputs()).toEqual(committed);

    const partialRemove = runCli(["synth", "--env", "dev", "--remove-env", "prod", "--root", scratch.root]);
    expect(partialRemove.status).toBe(1);
    expect(partialRemove.stderr).toContain("--remove-env needs a full synth");

    rmSync(path.join(overlay("dr"), "config.yaml"));
    const missing = runCli(["synth", "--env", "dr", "--root", scratch.root]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("error: overlays/dr/config.yaml: file not found (the overlay directory exists;");
    expect(await outputs()).toEqual(committed);
  });

  it("npm run diff shows a deleted overlay as the removal of its outputs", () => {
    rmSync(overlay("prod"), { recursive: true });
    const result = runCli(["diff", "--root", scratch.root]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("dist/prod/mimir/ingester.yaml");
    expect(result.stdout).toContain("argocd/prod.yaml");
    expect(result.stdout).toContain("flux/prod.yaml");
  });
});
