/**
 * The GitOps trees argocd/ and flux/ of every reconciled environment (one with a `gitops` section), rendered
 * from one ordering model (layers.ts) and one add-on catalogue (addons.ts). See argocd.ts and flux.ts for the
 * layout of each tree.
 */
import type { InfraOutputs } from "../config/infra-outputs.js";
import type { PlatformConfig } from "../config/schema.js";
import type { Problem } from "../validate/problem.js";
import { kustomizationFile, renderYamlDocuments, type SynthesizedEnvironment, type SynthesizedFile } from "../synth/synthesize.js";
import { argocdBootstrap, argocdChildren } from "./argocd.js";
import { fluxBootstrap, fluxChildren } from "./flux.js";
import { gitopsEnvironment, type GitopsEnvironment } from "./environment.js";

export interface GitopsInput {
  readonly config: PlatformConfig;
  readonly infra: InfraOutputs | undefined;
  readonly synthesized: SynthesizedEnvironment;
}

const yamlFile = (path: string, objects: Record<string, unknown>[]): SynthesizedFile => ({ path, objects, text: renderYamlDocuments(objects) });

/** A directory of `<name>.yaml` files plus the kustomization.yaml listing those directly in it. */
function directory(dir: string, children: ReadonlyMap<string, Record<string, unknown>[]>): SynthesizedFile[] {
  const files = [...children].map(([name, objects]) => yamlFile(`${dir}/${name}.yaml`, objects));
  const subdirs = new Set<string>();
  for (const name of children.keys()) if (name.includes("/")) subdirs.add(name.split("/")[0]!);
  for (const subdir of subdirs) {
    const inside = [...children.keys()].filter((name) => name.startsWith(`${subdir}/`)).map((name) => `${name.slice(subdir.length + 1)}.yaml`);
    files.push(kustomizationFile(`${dir}/${subdir}`, inside));
  }
  files.push(kustomizationFile(dir, [...children.keys()].filter((name) => !name.includes("/")).map((name) => `${name}.yaml`)));
  return files;
}

/** The GitOps facts of every reconciled environment (those with a `gitops` section). */
export function gitopsEnvironments(inputs: readonly GitopsInput[]): { environments: GitopsEnvironment[]; problems: Problem[] } {
  const environments: GitopsEnvironment[] = [];
  const problems: Problem[] = [];
  for (const { config, infra, synthesized } of inputs) {
    if (!config.gitops) continue;
    const result = gitopsEnvironment(config, infra, synthesized);
    problems.push(...result.problems);
    if (result.environment) environments.push(result.environment);
  }
  // One cluster per environment: two roots reconciling the same cluster would fight over the same objects.
  const byCluster = new Map<string, string>();
  for (const environment of environments) {
    const other = byCluster.get(environment.clusterName);
    if (other) {
      problems.push({
        file: `overlays/${environment.env}/terraform-outputs.json`,
        path: "cluster_name",
        message: `cluster ${environment.clusterName} is already the cluster of environment ${other}; each reconciled environment needs its own cluster`,
      });
    }
    byCluster.set(environment.clusterName, environment.env);
  }
  return { environments, problems };
}

/** argocd/ and flux/ for every reconciled environment, or the problems preventing them. */
export function gitopsFiles(inputs: readonly GitopsInput[]): { files: SynthesizedFile[]; problems: Problem[] } {
  const { environments, problems } = gitopsEnvironments(inputs);
  const files: SynthesizedFile[] = [];
  for (const environment of environments) {
    const { env } = environment;
    files.push(yamlFile(`argocd/${env}.yaml`, argocdBootstrap(environment)));
    files.push(...directory(`argocd/${env}`, argocdChildren(environment)));
    files.push(yamlFile(`flux/${env}.yaml`, fluxBootstrap(environment)));
    files.push(...directory(`flux/${env}`, fluxChildren(environment)));
  }
  return { files, problems };
}
