import { App, Chart } from "cdk8s";
import type { EnvironmentInputs } from "../config/load.js";
import { FAMILIES } from "./families.js";
import type { Family, FamilyContext, Layer, PlatformNames, PlatformRefs } from "./family.js";

/** `app.kubernetes.io/instance` of every platform object. */
const INSTANCE = "mimir";

/** Which family created a chart, and so which GitOps layer its file lands in. */
export interface ChartOwner {
  readonly family: string;
  readonly layer: Layer;
}

export interface BuiltPlatform {
  readonly app: App;
  /** Chart id (= file name) → the family that created it. */
  readonly owners: ReadonlyMap<string, ChartOwner>;
  /** Messages for the user that are not errors (e.g. capacity concerns). */
  readonly warnings: readonly string[];
}

/**
 * Builds the cdk8s App of one environment by running every family's builder on one shared
 * context: one Chart per output file (the chart id is the file name), namespaced charts in the
 * platform namespace, cluster-scoped ones without.
 */
export function buildPlatform(inputs: EnvironmentInputs, families: readonly Family[] = FAMILIES): BuiltPlatform {
  const { config, infra } = inputs;
  const app = new App({ outdir: "unused" });
  const names: PlatformNames = { namespace: config.namespace, instance: INSTANCE };
  const published: Partial<Record<keyof PlatformRefs, unknown>> = {};
  const warnings: string[] = [];
  let current: Family | undefined;
  const owners = new Map<string, ChartOwner>();
  const owned = (file: string, chart: Chart): Chart => {
    owners.set(file, { family: current!.name, layer: current!.layer });
    return chart;
  };
  const context: FamilyContext = {
    config,
    infra,
    names,
    chart: (file) => owned(file, new Chart(app, file, { namespace: names.namespace, disableResourceNameHashes: true })),
    clusterChart: (file) => owned(file, new Chart(app, file, { disableResourceNameHashes: true })),
    publish: (key, value) => {
      if (key in published) throw new Error(`internal: family ${current?.name} publishes "${key}", which another family already published`);
      published[key] = value;
    },
    need: (key) => {
      if (!(key in published)) throw new Error(`internal: family ${current?.name} needs "${key}", which no earlier family in FAMILIES published`);
      return published[key] as PlatformRefs[typeof key];
    },
    find: (key) => published[key] as PlatformRefs[typeof key] | undefined,
    warn: (message) => warnings.push(message),
  };
  for (const family of families) {
    current = family;
    family.build(context);
  }
  return { app, owners, warnings };
}
