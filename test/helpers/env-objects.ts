import { loadAll } from "js-yaml";
import type { SynthOutcome } from "../../src/synth/pipeline.js";

export type K8sObject = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

/** Every object synthesized for one environment (kustomization files left out). */
export function envObjects(outcome: SynthOutcome, env: string): K8sObject[] {
  const all: K8sObject[] = [];
  for (const [file, text] of outcome.files) {
    if (file.startsWith(`dist/${env}/`) && !file.endsWith("kustomization.yaml")) all.push(...(loadAll(text) as K8sObject[]));
  }
  return all;
}

/**
 * The text of `<name>.yaml` of one environment, wherever its layer put it (`dist/<env>/<layer>/<name>.yaml`);
 * undefined when the environment has no such file.
 */
export function envFile(files: ReadonlyMap<string, string>, env: string, name: string): string | undefined {
  const found = [...files.keys()].filter((file) => file.startsWith(`dist/${env}/`) && file.endsWith(`/${name}.yaml`));
  if (found.length > 1) throw new Error(`${name}.yaml is in more than one layer of dist/${env}: ${found.join(", ")}`);
  return found.length === 1 ? files.get(found[0]!) : undefined;
}
