/**
 * Runs `kubectl kustomize <dir>` to prove a kustomization builds. kubectl is looked up as $KUBECTL, then
 * /usr/bin/kubectl, then `kubectl` on PATH.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export interface KustomizeResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function kubectlBinary(): string {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  return existsSync("/usr/bin/kubectl") ? "/usr/bin/kubectl" : "kubectl";
}

export function kustomizeBuild(dir: string): KustomizeResult {
  const res = spawnSync(kubectlBinary(), ["kustomize", dir], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (res.error) return { ok: false, stdout: "", stderr: `could not run kubectl: ${res.error.message}` };
  return { ok: res.status === 0, stdout: res.stdout ?? "", stderr: res.stderr ?? "" };
}
