/**
 * The unit every component family (mimir, caches, gateway, storage, and the ones to come) plugs
 * in through: a builder that receives one shared context, creates its charts, and publishes the
 * references (Services, addresses) that later families consume. Families are registered in
 * `families.ts`; adding one touches its own folder and that list only.
 */
import type { Chart } from "cdk8s";
import type { InfraOutputs } from "../config/infra-outputs.js";
import type { CacheName, PlatformConfig } from "../config/schema.js";
import type { ServiceRef } from "../lib/service-ref.js";

/**
 * GitOps layers, in apply order: a family's output lands in exactly one of them (`dist/<env>/<layer>/`),
 * and a layer only depends on layers before it. The dependencies themselves are in
 * src/gitops/layers.ts (LAYER_DEPENDENCIES), from which Argo CD sync waves and Flux dependsOn follow.
 */
export const LAYERS = [
  "foundation", // namespaces, CRDs, storage classes
  "addons", // pinned Helm charts (src/gitops/addons.ts): Prometheus Operator, cert-manager, External Secrets, …
  "operators", // operators synthesized here (rollout-operator)
  "security", // secret stores, issuers, certificates
  "storage", // object storage and caches Mimir reads through
  "mimir",
  "gateway",
  "collection",
  "alerting", // rules, alerting and Grafana
  "workloads",
] as const;
export type Layer = (typeof LAYERS)[number];

/** A memcached cluster as Mimir's cache client sees it. */
export interface CacheEndpoint {
  readonly service: ServiceRef;
  /** e.g. `dns+chunks-cache.mimir.svc.cluster.local:11211` (A lookup of the headless Service: one entry per pod). */
  readonly addresses: string;
  /** Must equal the server's `-I` in bytes. */
  readonly maxItemSizeBytes: number;
}

/** Object storage Mimir writes to. */
export type ObjectStorage =
  | {
      readonly kind: "s3";
      readonly region: string;
      readonly bucket: string;
      readonly rulerBucket?: string;
      readonly alertmanagerBucket?: string;
      readonly kmsKeyArn: string;
    }
  | {
      /** Local development only: MinIO inside the cluster, credentials from a dev-only Secret. */
      readonly kind: "minio";
      readonly service: ServiceRef;
      readonly endpoint: string;
      readonly bucket: string;
      /** Secret with MINIO_ROOT_USER / MINIO_ROOT_PASSWORD, read by Mimir through -config.expand-env. */
      readonly credentialsSecret: string;
    };

/** Mimir's entry points, as the gateway (and later Grafana, rules and policies) address them. */
export interface MimirEndpoints {
  /** Read path: the query-frontend (or the single process). */
  readonly query: ServiceRef;
  /** Write path; absent in read-only (DR) mode. */
  readonly write?: ServiceRef;
  readonly ruler?: ServiceRef;
  readonly alertmanager?: ServiceRef;
}

/** Rule files Mimir's ruler loads from local storage (ruler_storage.backend: local). */
export interface RulerRuleFiles {
  /** One ConfigMap per tenant that has rules, mounted at `<ruler_storage.local.directory>/<tenant>`. */
  readonly tenants: readonly { readonly tenant: string; readonly configMapName: string }[];
}

/** The Alertmanager configuration tenants without their own use (Mimir's fallback config file). */
export interface AlertmanagerFallback {
  /** alertmanager_fallback_config.yaml. */
  readonly config: string;
  /** Secret with the receivers' secret files (routing keys, webhook URLs), if any. */
  readonly secretName?: string;
  /** Where that Secret is mounted; the config's `*_file` paths point below it. */
  readonly secretsDir: string;
}

/** What families publish for later families, by key. */
export interface PlatformRefs {
  readonly objectStorage: ObjectStorage;
  readonly caches: Partial<Readonly<Record<CacheName, CacheEndpoint>>>;
  readonly mimir: MimirEndpoints;
  readonly gateway: ServiceRef;
  /** Grafana's Service (port `http`). */
  readonly grafana: ServiceRef;
  readonly rulerRules: RulerRuleFiles;
  readonly alertmanagerConfig: AlertmanagerFallback;
}

/** Names shared by every family of one environment. */
export interface PlatformNames {
  /** Namespace of every namespaced object. */
  readonly namespace: string;
  /** `app.kubernetes.io/instance` of every platform object. */
  readonly instance: string;
}

export interface FamilyContext {
  readonly config: PlatformConfig;
  /** Absent only for the local (monolithic) environment. */
  readonly infra: InfraOutputs | undefined;
  readonly names: PlatformNames;
  /** A new namespaced chart: one output file `<file>.yaml`. */
  chart(file: string): Chart;
  /** A new chart for cluster-scoped objects (no namespace stamped on them). */
  clusterChart(file: string): Chart;
  /** Makes a reference available to the families after this one. */
  publish<K extends keyof PlatformRefs>(key: K, value: PlatformRefs[K]): void;
  /** A reference an earlier family published; a missing one is a wiring error in `families.ts`. */
  need<K extends keyof PlatformRefs>(key: K): PlatformRefs[K];
  /** A reference that may legitimately be absent (e.g. no gateway in an environment). */
  find<K extends keyof PlatformRefs>(key: K): PlatformRefs[K] | undefined;
  /** A message for the user (stderr), e.g. a capacity concern that is not an error. */
  warn(message: string): void;
}

export interface Family {
  /** Short name, also the folder under src/. */
  readonly name: string;
  readonly layer: Layer;
  build(context: FamilyContext): void;
}
