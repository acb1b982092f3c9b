/**
 * What the GitOps trees need to know about one synthesized environment, derived from its output and the
 * layer model: which layers it has, what each layer's objects are, which workloads an HPA scales, which
 * layers carry objects too large for client-side apply, the namespaces and cluster-scoped kinds it touches.
 */
import type { InfraOutputs } from "../config/infra-outputs.js";
import type { PlatformConfig } from "../config/schema.js";
import type { GitopsSettings } from "../config/gitops-schema.js";
import type { Problem } from "../validate/problem.js";
import { layerOfPath, type SynthesizedEnvironment } from "../synth/synthesize.js";
import { LAYERS, type Layer } from "../synth/family.js";
import { addOnCluster, platformAddOns, type AddOn } from "./addons.js";
import { MANAGED_BY } from "../lib/labels.js";

/** Everything the renderers of argocd/ and flux/ read for one environment. */
export interface GitopsEnvironment {
  readonly env: string;
  readonly gitops: GitopsSettings;
  /** Argo CD AppProject of the environment's Applications. */
  readonly project: string;
  /** The cluster the environment runs in (Terraform `cluster_name`): Argo CD's destination name. */
  readonly clusterName: string;
  /** Namespace of the platform's objects. */
  readonly namespace: string;
  /** Layers reconciled in this environment, in LAYERS order: the dist/ layers plus `addons`. */
  readonly layers: readonly Layer[];
  readonly addOns: readonly AddOn[];
  readonly objectsByLayer: ReadonlyMap<Layer, readonly Record<string, unknown>[]>;
  /** Workloads an HPA scales, by the layer they are in. */
  readonly scaledByLayer: ReadonlyMap<Layer, readonly ScaledWorkload[]>;
  /** Layers holding a CRD or an object whose size needs server-side apply. */
  readonly largeLayers: ReadonlySet<Layer>;
  /** Every namespace the environment's objects (and add-ons) live in, sorted. */
  readonly namespaces: readonly string[];
  /** Cluster-scoped kinds of the environment's objects and add-ons, sorted by group then kind. */
  readonly clusterKinds: readonly { readonly group: string; readonly kind: string }[];
}

export interface ScaledWorkload {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/** Client-side apply keeps a copy of the object in an annotation limited to 256 KiB; stay well below it. */
export const SERVER_SIDE_APPLY_BYTES = 128 * 1024;

const metadataOf = (object: Record<string, unknown>) => (object.metadata ?? {}) as { name?: string; namespace?: string };
const groupOf = (apiVersion: unknown) => (String(apiVersion).includes("/") ? String(apiVersion).split("/")[0]! : "");

/** The GitOps facts of one environment, or the problems that prevent reconciling it. */
export function gitopsEnvironment(
  config: PlatformConfig,
  infra: InfraOutputs | undefined,
  synthesized: SynthesizedEnvironment,
): { environment?: GitopsEnvironment; problems: Problem[] } {
  const gitops = config.gitops!;
  const env = config.envName;
  if (!infra) {
    return {
      problems: [
        {
          file: `overlays/${env}/config.yaml`,
          path: "gitops",
          message: `a reconciled environment needs overlays/${env}/terraform-outputs.json: its cluster_name is the Argo CD destination, and the add-ons need its IRSA roles`,
        },
      ],
    };
  }
  const readOnly = config.mimir.deploymentMode === "read-only";
  const cluster = addOnCluster(infra, readOnly);
  if (!cluster) {
    return {
      problems: [
        {
          file: `overlays/${env}/terraform-outputs.json`,
          path: "dr_cluster_name",
          message: `required output is missing: the read-only environment ${env} runs in the DR cluster (dr_cluster_name, with dr_region), not in ${infra.clusterName}, which runs ${config.drSourceEnvironment ?? "the source environment"}`,
        },
      ],
    };
  }
  const { addOns, problems } = platformAddOns(cluster, `overlays/${env}/terraform-outputs.json`);
  const objectsByLayer = new Map<Layer, Record<string, unknown>[]>();
  for (const file of synthesized.files) {
    const layer = layerOfPath(file.path);
    if (layer && file.objects.length > 0) objectsByLayer.set(layer, [...(objectsByLayer.get(layer) ?? []), ...file.objects]);
  }
  const layerOfObject = new Map<string, Layer>();
  for (const [layer, objects] of objectsByLayer) {
    for (const object of objects) layerOfObject.set(`${object.kind}/${metadataOf(object).namespace ?? ""}/${metadataOf(object).name}`, layer);
  }

  const scaledByLayer = new Map<Layer, ScaledWorkload[]>();
  const largeLayers = new Set<Layer>();
  const namespaces = new Set<string>(addOns.map((addOn) => addOn.namespace));
  const clusterKinds = new Map<string, { group: string; kind: string }>();
  for (const addOn of addOns) for (const kind of addOn.clusterKinds) clusterKinds.set(`${kind.group}/${kind.kind}`, kind);
  for (const [layer, objects] of objectsByLayer) {
    for (const object of objects) {
      const metadata = metadataOf(object);
      if (metadata.namespace) namespaces.add(metadata.namespace);
      else {
        const kind = { group: groupOf(object.apiVersion), kind: String(object.kind) };
        clusterKinds.set(`${kind.group}/${kind.kind}`, kind);
      }
      if (object.kind === "Namespace" && metadata.name) namespaces.add(metadata.name);
      if (object.kind === "CustomResourceDefinition" || JSON.stringify(object).length > SERVER_SIDE_APPLY_BYTES) largeLayers.add(layer);
      if (object.kind === "HorizontalPodAutoscaler") {
        const target = (object.spec as { scaleTargetRef: { apiVersion?: string; kind: string; name: string } }).scaleTargetRef;
        const namespace = metadata.namespace ?? config.namespace;
        const targetLayer = layerOfObject.get(`${target.kind}/${namespace}/${target.name}`);
        if (!targetLayer) throw new Error(`internal: HPA ${metadata.name} scales ${target.kind}/${target.name}, which is not in dist/${env}`);
        scaledByLayer.set(targetLayer, [
          ...(scaledByLayer.get(targetLayer) ?? []),
          { group: groupOf(target.apiVersion ?? "apps/v1"), kind: target.kind, name: target.name, namespace },
        ]);
      }
    }
  }
  for (const list of scaledByLayer.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const layers = LAYERS.filter((layer) => objectsByLayer.has(layer) || (layer === "addons" && addOns.length > 0));
  if (problems.length > 0) return { problems };
  return {
    problems,
    environment: {
      env,
      gitops,
      project: gitops.argocdProject ?? `observability-${env}`,
      clusterName: cluster.name,
      namespace: config.namespace,
      layers,
      addOns,
      objectsByLayer,
      scaledByLayer,
      largeLayers,
      namespaces: [...namespaces].sort(),
      clusterKinds: [...clusterKinds.values()].sort((a, b) => (`${a.group}/${a.kind}` < `${b.group}/${b.kind}` ? -1 : 1)),
    },
  };
}

/** Common labels of the GitOps objects. */
export function gitopsLabels(env: string): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": MANAGED_BY,
    "app.kubernetes.io/part-of": "observability-platform",
    "observability-platform/environment": env,
  };
}

/** Name of an environment's per-layer (or per-add-on) Argo Application / Flux object: unique across environments. */
export const layerObjectName = (env: string, layer: string) => `observability-${env}-${layer}`;
