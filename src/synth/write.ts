import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Writes a set of files so that each listed top-level target directory is replaced as a whole:
 * everything is written into a temp directory next to the targets first, then each target is
 * swapped in with renames. A failure before the swap leaves the targets untouched.
 */
export function writeAtomically(root: string, targets: readonly string[], files: ReadonlyMap<string, string>): void {
  for (const file of files.keys()) {
    if (!targets.some((target) => file === target || file.startsWith(`${target}/`))) {
      throw new Error(`internal: ${file} is outside the output targets ${targets.join(", ")}`);
    }
  }
  const staging = mkdtempSync(path.join(root, ".synth-"));
  try {
    for (const target of targets) mkdirSync(path.join(staging, target), { recursive: true });
    for (const [file, text] of files) {
      const full = path.join(staging, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
    for (const target of targets) {
      const destination = path.join(root, target);
      const backup = path.join(staging, `.previous-${target.replaceAll("/", "_")}`);
      mkdirSync(path.dirname(destination), { recursive: true });
      if (existsSync(destination)) renameSync(destination, backup);
      renameSync(path.join(staging, target), destination);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
