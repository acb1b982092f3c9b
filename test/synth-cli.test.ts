import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli, scratchRepo } from "./helpers/cli.js";

/**
 * `npm run synth` is `node src/tools/build.mjs -- synth`: the build script rebuilds `.build/main.mjs` only when
 * the content of its inputs changed, then runs the bundle in the same process. These tests run the build
 * script in a scratch copy of the package (src/, package files; imports/ and node_modules/ linked), so they
 * never rebuild the repository's own bundle.
 */
describe("src/tools/build.mjs (the build cache behind npm run synth)", () => {
  const pkg = mkdtempSync(path.join(os.tmpdir(), "platform-build-"));
  cpSync(path.join(REPO_ROOT, "src"), path.join(pkg, "src"), { recursive: true });
  for (const file of ["package.json", "package-lock.json"]) cpSync(path.join(REPO_ROOT, file), path.join(pkg, file));
  for (const dir of ["imports", "node_modules"]) symlinkSync(path.join(REPO_ROOT, dir), path.join(pkg, dir));
  const repo = scratchRepo();
  afterAll(() => {
    rmSync(pkg, { recursive: true, force: true });
    repo.cleanup();
  });

  const bundle = path.join(pkg, ".build", "main.mjs");
  const build = (...args: string[]) => {
    const result = spawnSync(process.execPath, [path.join(pkg, "src", "tools", "build.mjs"), ...args], { cwd: pkg, encoding: "utf8", timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const bundleMtime = () => statSync(bundle).mtimeMs;

  it("builds when there is no bundle yet, then does nothing while the sources are unchanged", () => {
    const first = build();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^build: built \.build\/main\.mjs \(no previous build\) in \d+ ms\n$/);
    expect(readFileSync(bundle, "utf8").split("\n", 1)[0]).toMatch(/^\/\/ build-inputs-sha1: [0-9a-f]{40}$/);
    const built = bundleMtime();

    const second = build();
    expect(second).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(bundleMtime()).toBe(built);
  });

  it("compares content, not timestamps: touching a source file does not rebuild, editing one does", () => {
    const source = path.join(pkg, "src", "synth", "write.ts");
    utimesSync(source, new Date(), new Date(Date.now() + 60_000));
    expect(build().stderr).toBe("");

    appendFileSync(source, "\n// edited by synth-cli.test.ts\n");
    expect(build().stderr).toMatch(/^build: built \.build\/main\.mjs \(sources changed\)/);
    expect(build().stderr).toBe("");
  });

  it("rebuilds when the lockfile changes, when the bundle is gone or not its own, and always with --force", () => {
    appendFileSync(path.join(pkg, "package-lock.json"), "\n");
    expect(build().stderr).toMatch(/\(sources changed\)/);

    rmSync(bundle);
    expect(build().stderr).toMatch(/\(no previous build\)/);
    expect(existsSync(bundle)).toBe(true);

    writeFileSync(bundle, "process.exitCode = 42;\n");
    expect(build().stderr).toMatch(/\(sources changed\)/);

    expect(build("--force").stderr).toMatch(/\(--force\)/);
    expect(build().stderr).toBe("");
  });

  it("runs the bundle in the same process after `--`, with its output and exit code", () => {
    const viaBuild = build("--", "synth", "--check", "--root", repo.root);
    expect(viaBuild.status, viaBuild.stderr).toBe(0);
    expect(viaBuild.stdout).toMatch(/^synth: \d+ files checked in \d+ ms$/m);
    const direct = spawnSync(process.execPath, [bundle, "synth", "--check", "--root", repo.root], { encoding: "utf8" });
    const withoutTimings = (text: string) => text.replace(/\d+ ms/g, "N ms");
    expect(withoutTimings(viaBuild.stdout)).toBe(withoutTimings(direct.stdout));
    expect(viaBuild.stderr).toBe(direct.stderr);

    const failing = build("--", "synth", "--env", "no-such-env", "--root", repo.root);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain("error: overlays/no-such-env/config.yaml: no such environment");

    const usage = build("--", "frobnicate", "--root", repo.root);
    expect(usage.status).toBe(2);
  });

  it("rejects unknown options of its own", () => {
    const result = build("--fast");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: node src/tools/build.mjs");
  });
});

describe("npm run synth (the package script, as users run it)", () => {
  const repo = scratchRepo();
  afterAll(() => repo.cleanup());

  it("synthesizes through the cached build and writes the same files the bundle writes", () => {
    const result = spawnSync("npm", ["run", "--silent", "synth", "--", "--root", repo.root], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^synth: \d+ files written in \d+ ms$/m);
    const before = readFileSync(path.join(repo.root, "dist", "prod", "kustomization.yaml"), "utf8");
    expect(runCli(["synth", "--root", repo.root]).status).toBe(0);
    expect(readFileSync(path.join(repo.root, "dist", "prod", "kustomization.yaml"), "utf8")).toBe(before);
  });
});
