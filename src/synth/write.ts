import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Writes a set of files so that each listed top-level target directory is replaced as a whole:
 * everything is written into a temp directory next to the targets first, then each target is
 * swapped in with renames. A failure before the swap leaves the targets untouched.
 *
 * A file whose content equals the file already at its place is hard-linked into the temp directory
 * instead of being written again: on slow disks creating and writing the ~70 output files costs
 * 50-150 ms, linking them about 1 ms. The new tree is complete either way, so the swap is unchanged,
 * and unchanged files keep their modification time.
 */
export function writeAtomically(root: string, targets: readonly string[], files: ReadonlyMap<string, string>): void {
  for (const file of files.keys()) {
    if (!targets.some((target) => file === target || file.startsWith(`${target}/`))) {
      throw new Error(`internal: ${file} is outside the output targets ${targets.join(", ")}`);
    }
  }
  const staging = mkdtempSync(path.join(root, ".synth-"));
  try {
    const made = new Set<string>();
    const ensureDir = (dir: string) => {
      if (made.has(dir)) return;
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    };
    for (const target of targets) ensureDir(path.join(staging, target));
    for (const [file, text] of files) {
      const full = path.join(staging, file);
      ensureDir(path.dirname(full));
      if (!linkIfUnchanged(path.join(root, file), full, text)) writeFileSync(full, text);
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

/** Hard-links `existing` to `link` when it is a regular file holding exactly `text`; false otherwise. */
function linkIfUnchanged(existing: string, link: string, text: string): boolean {
  try {
    if (!lstatSync(existing).isFile()) return false;
    if (!readFileSync(existing).equals(Buffer.from(text))) return false;
    linkSync(existing, link);
    return true;
  } catch {
    // Missing, unreadable, or a file system without hard links: write the file instead.
    return false;
  }
}
