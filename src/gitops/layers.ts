/**
 * The one ordering model both GitOps trees are rendered from: the layers of `LAYERS` (src/synth/family.ts),
 * what each layer needs applied and healthy before it, and what follows from that: Argo CD sync waves
 * (argocd/) and Flux `dependsOn` (flux/), the order of `dist/<env>/kustomization.yaml`, and the DR runbook.
 *
 * A family declares its layer; the layer's dependencies are declared here, once.
 */
import { LAYERS, type Layer } from "../synth/family.js";

export { LAYERS, type Layer };

export interface LayerFacts {
  /** Layers whose objects must exist (CRDs served, operators running, Services resolvable) first. */
  readonly dependsOn: readonly Layer[];
  /** One line for humans (README, DR runbook). */
  readonly purpose: string;
}

export const LAYER_MODEL: Readonly<Record<Layer, LayerFacts>> = {
  foundation: { dependsOn: [], purpose: "namespaces, CRDs of synthesized operators, storage classes" },
  addons: {
    dependsOn: ["foundation"],
    purpose: "pinned Helm charts: Prometheus Operator (CRDs + operator), cert-manager, External Secrets, metrics-server, AWS Load Balancer Controller, cluster-autoscaler",
  },
  operators: { dependsOn: ["foundation"], purpose: "operators synthesized here (rollout-operator, its CRDs and webhooks)" },
  security: { dependsOn: ["addons"], purpose: "secret stores, issuers and certificates (External Secrets and cert-manager CRDs)" },
  storage: { dependsOn: ["foundation", "security"], purpose: "object storage (local MinIO) and the memcached caches" },
  mimir: { dependsOn: ["storage", "operators", "security"], purpose: "Mimir, its configuration, ruler rules and the Alertmanager fallback configuration" },
  gateway: { dependsOn: ["mimir", "security"], purpose: "the nginx tenancy gateway in front of Mimir" },
  collection: { dependsOn: ["addons", "gateway"], purpose: "Prometheus shards (Prometheus Operator CRs), monitors, exporters, probes" },
  alerting: { dependsOn: ["addons", "gateway"], purpose: "recording rules and Grafana (datasources through the gateway)" },
  workloads: { dependsOn: ["collection", "alerting"], purpose: "hosted workloads, backups" },
};

/**
 * The layers in an order where each comes after everything it depends on; throws naming the cycle or the
 * unknown layer when the model is not a DAG.
 */
export function topologicalLayers(model: Readonly<Record<string, LayerFacts>> = LAYER_MODEL): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (layer: string, path: string[]) => {
    if (!(layer in model)) throw new Error(`layer model: ${path.at(-1)} depends on unknown layer ${layer}`);
    if (state.get(layer) === "done") return;
    if (state.get(layer) === "visiting") throw new Error(`layer model: cycle ${[...path.slice(path.indexOf(layer)), layer].join(" → ")}`);
    state.set(layer, "visiting");
    for (const dependency of model[layer]!.dependsOn) visit(dependency, [...path, layer]);
    state.set(layer, "done");
    order.push(layer);
  };
  for (const layer of Object.keys(model)) visit(layer, []);
  return order;
}

/**
 * Argo CD sync wave of each layer: the length of the longest dependency chain below it (foundation 0), so a
 * layer's wave is strictly greater than the wave of everything it depends on.
 */
export function layerWaves(model: Readonly<Record<Layer, LayerFacts>> = LAYER_MODEL): Readonly<Record<Layer, number>> {
  const waves = {} as Record<Layer, number>;
  for (const layer of topologicalLayers(model) as Layer[]) {
    waves[layer] = Math.max(-1, ...model[layer].dependsOn.map((dependency) => waves[dependency])) + 1;
  }
  return waves;
}

/**
 * What `layer` waits for in an environment that only has the `present` layers: its dependencies, with an
 * absent dependency replaced by what that one depends on (so ordering survives empty layers), reduced to the
 * nearest ones. Sorted in LAYERS order.
 */
export function presentDependencies(layer: Layer, present: ReadonlySet<Layer>, model: Readonly<Record<Layer, LayerFacts>> = LAYER_MODEL): Layer[] {
  const found = new Set<Layer>();
  const walk = (from: Layer) => {
    for (const dependency of model[from].dependsOn) {
      if (present.has(dependency)) found.add(dependency);
      else walk(dependency);
    }
  };
  walk(layer);
  // Drop a dependency another found one already waits for (transitively): dependsOn stays minimal.
  const reaches = (from: Layer, target: Layer): boolean => model[from].dependsOn.some((d) => d === target || reaches(d, target));
  return LAYERS.filter((candidate) => found.has(candidate) && ![...found].some((other) => other !== candidate && reaches(other, candidate)));
}

/** True when `later` (transitively) depends on `earlier`. */
export function layerDependsOn(later: Layer, earlier: Layer, model: Readonly<Record<Layer, LayerFacts>> = LAYER_MODEL): boolean {
  return model[later].dependsOn.some((dependency) => dependency === earlier || layerDependsOn(dependency, earlier, model));
}
