import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..");
export const CLI = path.join(REPO_ROOT, ".build", "main.mjs");

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bundled CLI (built by test/global-setup.ts). */
export function runCli(args: string[], cwd = REPO_ROOT): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A scratch copy of the repository inputs (overlays/, imports/ and the committed outputs), so a
 * test can break an input and check what synth does to the outputs.
 */
export function scratchRepo(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), "platform-test-"));
  for (const dir of ["overlays", "dist", "argocd", "flux"]) {
    cpSync(path.join(REPO_ROOT, dir), path.join(root, dir), { recursive: true });
  }
  // Generated schemas are only read: link rather than copy 13 MB per scratch repo.
  symlinkSync(path.join(REPO_ROOT, "imports"), path.join(root, "imports"));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
