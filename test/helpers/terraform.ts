// Runs the offline Terraform fixture (test/fixtures/terraform) and returns the
// text printed by `terraform output -json`.
//
// The fixture has no providers and no resources, so init/apply need neither
// network access nor credentials. Every run happens in a fresh temporary copy
// of the module, so no state file or .terraform directory ever lands in the
// repository, and parallel test workers cannot trip over each other's state.

import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Directory of the fixture module, resolved relative to this file. */
export const TERRAFORM_FIXTURE_DIR = fileURLToPath(new URL("../fixtures/terraform/", import.meta.url));

/** Binary to run; TERRAFORM_BIN overrides the `terraform` found on PATH. */
const terraformBin = (): string => process.env.TERRAFORM_BIN || "terraform";

/** Upper bound for a single terraform command; the fixture normally needs well under a second. */
const COMMAND_TIMEOUT_MS = 60_000;

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

interface RunResult {
  stdout: string;
  stderr: string;
}

class TerraformMissingError extends Error {}

/** True when running under CI (CI set to anything except an empty string, "0" or "false"). */
function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/**
 * Environment for terraform: inherit PATH and friends, but drop anything that
 * could change what the fixture computes or how the CLI behaves (TF_VAR_*,
 * TF_CLI_ARGS*, TF_WORKSPACE, TF_DATA_DIR, ...), and keep the CLI quiet and offline.
 */
function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("TF_")) env[key] = value;
  }
  env.TF_IN_AUTOMATION = "1";
  env.TF_INPUT = "0";
  // An empty CLI config: no plugin cache, no credentials helpers, no
  // "config file does not exist" warning when TF_CLI_CONFIG_FILE points nowhere.
  env.TF_CLI_CONFIG_FILE = devNull;
  env.CHECKPOINT_DISABLE = "1";
  return env;
}

function run(args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      terraformBin(),
      args,
      { cwd, env: terraformEnv(), timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            reject(new TerraformMissingError(`terraform binary not found (${terraformBin()})`));
            return;
          }
          reject(
            new Error(
              `terraform ${args[0]} failed in ${cwd}: ${error.message.split("\n")[0]}\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`,
            ),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/**
 * Applies the fixture module with the given variables and returns the JSON
 * text of `terraform output -json` (sensitive outputs included, exactly as the
 * real CLI prints them).
 *
 * Returns null when terraform is not installed, so local test runs can skip;
 * when CI is set a missing terraform is an error instead.
 */
export async function terraformOutputJson(vars: Record<string, string>): Promise<string | null> {
  const varArgs: string[] = [];
  for (const name of Object.keys(vars).sort()) {
    if (!VAR_NAME.test(name)) throw new Error(`invalid terraform variable name: ${JSON.stringify(name)}`);
    // execFile passes argv directly (no shell), so values need no quoting.
    varArgs.push("-var", `${name}=${vars[name]}`);
  }

  const workDir = await mkdtemp(join(tmpdir(), "tf-fixture-"));
  try {
    for (const entry of await readdir(TERRAFORM_FIXTURE_DIR, { withFileTypes: true })) {
      // Only the module sources: never a stray state file or .terraform dir.
      if (entry.isFile() && entry.name.endsWith(".tf")) {
        await copyFile(join(TERRAFORM_FIXTURE_DIR, entry.name), join(workDir, entry.name));
      }
    }

    await run(["init", "-input=false", "-no-color", "-backend=false"], workDir);
    await run(["apply", "-auto-approve", "-input=false", "-no-color", ...varArgs], workDir);
    const { stdout } = await run(["output", "-json", "-no-color"], workDir);
    return stdout;
  } catch (error) {
    if (error instanceof TerraformMissingError) {
      if (isCi()) throw new Error(`${error.message}; it is required when CI is set`);
      return null;
    }
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
