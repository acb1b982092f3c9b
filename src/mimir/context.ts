import type { AlertmanagerFallback, RulerRuleFiles } from "../synth/family.js";

/** Ports every Mimir process listens on (server.http_listen_port, server.grpc_listen_port, memberlist.bind_port). */
export const MIMIR_PORTS = {
  http: 8080,
  grpc: 9095,
  memberlist: 7946,
} as const;

/** Where the shared files are mounted in every Mimir container. */
export const MIMIR_PATHS = {
  configDir: "/etc/mimir",
  configFile: "/etc/mimir/mimir.yaml",
  runtimeDir: "/var/mimir",
  runtimeFile: "/var/mimir/runtime.yaml",
  dataDir: "/data",
  activeQueryTrackerDir: "/active-query-tracker",
  alertmanagerFallbackDir: "/configs",
  /** ruler_storage.local.directory: one ConfigMap per tenant is mounted at `<dir>/<tenant>`. */
  rulerRulesDir: "/etc/mimir-rules",
} as const;

/** One availability zone of a zone-aware deployment. */
export interface MimirZone {
  /** Mimir zone name used in rings and object names, e.g. `zone-a`. */
  readonly name: string;
  /** AWS availability zone backing it, e.g. `eu-west-1a`. */
  readonly awsZone: string;
}

/** Facts every Mimir component construct needs; built once per environment by the Mimir chart. */
export interface MimirContext {
  readonly namespace: string;
  /** `app.kubernetes.io/instance` of every Mimir object. */
  readonly instance: string;
  readonly image: string;
  readonly serviceAccountName: string;
  readonly configMapName: string;
  readonly runtimeConfigMapName: string;
  /**
   * Short hash of mimir.yaml, set on pod templates so a config change rolls the pods. A function:
   * mimir.yaml is rendered once every component has created the Services it names.
   */
  readonly configHash: () => string;
  readonly storageClassName: string;
  /** Zones for zone-aware StatefulSets; empty when zone awareness is off. */
  readonly zones: readonly MimirZone[];
  /** Rule files the ruler loads from local storage (from the rules family); absent: rules live in the bucket. */
  readonly rulerRules?: RulerRuleFiles;
  /** Alertmanager fallback config and its secrets (from the alerting family); absent: a no-op config. */
  readonly alertmanagerConfig?: AlertmanagerFallback;
}

/** Names of the Services other components and the config refer to. */
export const MIMIR_SERVICE_NAMES = {
  gossipRing: "gossip-ring",
  distributorHeadless: "distributor-headless",
  queryFrontend: "query-frontend",
  querySchedulerHeadless: "query-scheduler-headless",
  ruler: "ruler",
  alertmanagerHeadless: "alertmanager-headless",
  compactor: "compactor",
} as const;
