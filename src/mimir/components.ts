/**
 * Facts about every Mimir component, in one table: workload kind, object/file name, the key of its
 * IRSA role in Terraform's `component_irsa_role_arns`, where it runs, and its built-in sizing.
 * Pure data, so the config schema can check settings against it without importing constructs.
 */
import type { Autoscaling, Resources } from "../config/workload-schema.js";

export const MIMIR_COMPONENTS = [
  "distributor",
  "ingester",
  "querier",
  "queryFrontend",
  "queryScheduler",
  "storeGateway",
  "compactor",
  "ruler",
  "alertmanager",
  "overridesExporter",
] as const;
export type MimirComponentName = (typeof MIMIR_COMPONENTS)[number];

export const DEPLOYMENT_MODES = ["microservices", "monolithic", "read-only"] as const;
export type DeploymentMode = (typeof DEPLOYMENT_MODES)[number];

/** A component's built-in sizing, used where config.yaml is silent. */
export interface ComponentDefaults {
  readonly replicas: number;
  readonly resources: Resources;
  /** PVC size; StatefulSets only. */
  readonly storage?: string;
  /** Default HPA (Deployments only); undefined means not autoscaled unless config asks. */
  readonly autoscaling?: Autoscaling;
}

export interface ComponentFacts {
  /** Object, file and `app.kubernetes.io/component` name, e.g. `store-gateway`. */
  readonly name: string;
  readonly kind: "Deployment" | "StatefulSet";
  /** Key in Terraform's `component_irsa_role_arns` (Terraform's snake_case). */
  readonly terraformKey: string;
  readonly defaults: ComponentDefaults;
}

export const COMPONENT_FACTS: Readonly<Record<MimirComponentName, ComponentFacts>> = {
  distributor: {
    name: "distributor",
    kind: "Deployment",
    terraformKey: "distributor",
    // Capacity guide: 1 core + 1 GB per 25k samples/s; the HPA absorbs the rest.
    defaults: {
      replicas: 3,
      resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
      autoscaling: { minReplicas: 3, maxReplicas: 12, targetCpuUtilization: 75, targetMemoryUtilization: 80 },
    },
  },
  ingester: {
    name: "ingester",
    kind: "StatefulSet",
    terraformKey: "ingester",
    // Capacity guide: 1 core + 2.5 GB per 300k in-memory series (plus 50% headroom).
    defaults: { replicas: 3, resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "12Gi" } }, storage: "50Gi" },
  },
  querier: {
    name: "querier",
    kind: "Deployment",
    terraformKey: "querier",
    // Capacity guide: 1 core + 1 GB per 10 queries/s.
    defaults: {
      replicas: 2,
      resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
      autoscaling: { minReplicas: 2, maxReplicas: 10, targetCpuUtilization: 75, targetMemoryUtilization: 80 },
    },
  },
  queryFrontend: {
    name: "query-frontend",
    kind: "Deployment",
    terraformKey: "query_frontend",
    // Capacity guide: 1 core + 1 GB per 250 queries/s.
    defaults: {
      replicas: 2,
      resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
      autoscaling: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 75, targetMemoryUtilization: 80 },
    },
  },
  queryScheduler: {
    name: "query-scheduler",
    kind: "Deployment",
    terraformKey: "query_scheduler",
    defaults: { replicas: 2, resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "512Mi" } } },
  },
  storeGateway: {
    name: "store-gateway",
    kind: "StatefulSet",
    terraformKey: "store_gateway",
    // Capacity guide: 13 GB disk per 1M active series; 1 core + 1 GB per 10 queries/s.
    defaults: { replicas: 3, resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } }, storage: "20Gi" },
  },
  compactor: {
    name: "compactor",
    kind: "StatefulSet",
    terraformKey: "compactor",
    // Capacity guide: one compactor (1 core, 4 GB, 300 GB disk) per 20M active series.
    defaults: { replicas: 1, resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "6Gi" } }, storage: "100Gi" },
  },
  ruler: {
    name: "ruler",
    kind: "Deployment",
    terraformKey: "ruler",
    defaults: { replicas: 2, resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } } },
  },
  alertmanager: {
    name: "alertmanager",
    kind: "StatefulSet",
    terraformKey: "alertmanager",
    defaults: { replicas: 3, resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } }, storage: "1Gi" },
  },
  overridesExporter: {
    name: "overrides-exporter",
    kind: "Deployment",
    terraformKey: "overrides_exporter",
    defaults: { replicas: 1, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } } },
  },
};

/** The single `-target=all,alertmanager` process of the monolithic (local) mode: laptop-sized. */
export const MONOLITHIC_DEFAULTS: ComponentDefaults = {
  replicas: 1,
  resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
  storage: "5Gi",
};

/**
 * DR (read-only) ingesters receive no writes: they exist only so that queries over the last
 * `query_ingesters_within` find a healthy ingester ring (see docs/operations.md, DR design).
 * Three of them, because the read quorum of replication factor 3 needs two healthy instances.
 */
export const IDLE_INGESTER_DEFAULTS: ComponentDefaults = {
  replicas: 3,
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
  storage: "1Gi",
};

/** Which components run in each deployment mode (monolithic runs one `-target=all,alertmanager` process). */
export const COMPONENTS_BY_MODE: Readonly<Record<DeploymentMode, readonly MimirComponentName[]>> = {
  microservices: MIMIR_COMPONENTS,
  // DR: the query path (the scheduler is mandatory between frontends and queriers) plus idle ingesters.
  "read-only": ["ingester", "querier", "queryFrontend", "queryScheduler", "storeGateway"],
  monolithic: [],
};

/** Ingester and store-gateway ring replication factor outside the monolithic mode. */
export const REPLICATION_FACTOR = 3;

/** Built-in defaults of a component in a mode (DR ingesters are idle and small). */
export function componentDefaults(name: MimirComponentName, mode: DeploymentMode): ComponentDefaults {
  if (name === "ingester" && mode === "read-only") return IDLE_INGESTER_DEFAULTS;
  return COMPONENT_FACTS[name].defaults;
}
