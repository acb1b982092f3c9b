import { App, Chart } from "cdk8s";
import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { EnvironmentInputs } from "../config/load.js";
import { MIMIR_COMPONENTS, type CacheName, type CacheSettings, type MimirComponentName, type PlatformConfig } from "../config/schema.js";
import { Gateway } from "../gateway/gateway.js";
import { MANAGED_BY } from "../lib/labels.js";
import { MemcachedCache } from "../memcached/memcached-cache.js";
import { Alertmanager } from "../mimir/alertmanager.js";
import { Compactor } from "../mimir/compactor.js";
import type { MimirComponentProps } from "../mimir/component-settings.js";
import { MIMIR_PORTS, MIMIR_SERVICE_NAMES, serviceFqdn, type MimirContext } from "../mimir/context.js";
import { Distributor } from "../mimir/distributor.js";
import { GossipRing } from "../mimir/gossip-ring.js";
import { Ingester } from "../mimir/ingester.js";
import { buildMimirConfig, buildRuntimeConfig, objectStorageFor, type CacheEndpoints } from "../mimir/mimir-config.js";
import { MimirConfigMaps, renderConfigYaml } from "../mimir/mimir-config-maps.js";
import { configHash } from "../lib/config-hash.js";
import { Monolithic } from "../mimir/monolithic.js";
import { OverridesExporter } from "../mimir/overrides-exporter.js";
import { Querier } from "../mimir/querier.js";
import { QueryFrontend } from "../mimir/query-frontend.js";
import { QueryScheduler } from "../mimir/query-scheduler.js";
import { RolloutOperator } from "../mimir/rollout-operator.js";
import { Ruler } from "../mimir/ruler.js";
import { MimirServiceAccount } from "../mimir/service-account.js";
import { StoreGateway } from "../mimir/store-gateway.js";
import { Minio, MINIO_PORT } from "../storage/minio.js";
import { Gp3StorageClass } from "../storage/storage-class.js";

export const CLUSTER_DOMAIN = "cluster.local";
const INSTANCE = "mimir";
const KUBE_DNS = `kube-dns.kube-system.svc.${CLUSTER_DOMAIN}`;

/** Built-in cache sizing (per pod): results 4 GiB, index/chunks 8 GiB, metadata 512 MiB. */
export const CACHE_DEFAULTS: Record<CacheName, { memoryMb: number; maxItemMb: number; hitRatioObjective: number }> = {
  results: { memoryMb: 4096, maxItemMb: 5, hitRatioObjective: 0.6 },
  index: { memoryMb: 8192, maxItemMb: 5, hitRatioObjective: 0.7 },
  chunks: { memoryMb: 8192, maxItemMb: 1, hitRatioObjective: 0.7 },
  metadata: { memoryMb: 512, maxItemMb: 1, hitRatioObjective: 0.7 },
};

/** Which Mimir components run in each deployment mode. */
const COMPONENTS_BY_MODE: Record<PlatformConfig["mimir"]["deploymentMode"], readonly MimirComponentName[]> = {
  microservices: MIMIR_COMPONENTS,
  // DR: the query path only (the scheduler is mandatory between frontends and queriers).
  "read-only": ["querier", "queryFrontend", "queryScheduler", "storeGateway"],
  monolithic: [],
};

const COMPONENT_CONSTRUCTS: Record<
  MimirComponentName,
  { file: string; create: (scope: Chart, props: MimirComponentProps) => void }
> = {
  distributor: { file: "distributor", create: (s, p) => new Distributor(s, "distributor", p) },
  ingester: { file: "ingester", create: (s, p) => new Ingester(s, "ingester", p) },
  querier: { file: "querier", create: (s, p) => new Querier(s, "querier", p) },
  queryFrontend: { file: "query-frontend", create: (s, p) => new QueryFrontend(s, "query-frontend", p) },
  queryScheduler: { file: "query-scheduler", create: (s, p) => new QueryScheduler(s, "query-scheduler", p) },
  storeGateway: { file: "store-gateway", create: (s, p) => new StoreGateway(s, "store-gateway", p) },
  compactor: { file: "compactor", create: (s, p) => new Compactor(s, "compactor", p) },
  ruler: { file: "ruler", create: (s, p) => new Ruler(s, "ruler", p) },
  alertmanager: { file: "alertmanager", create: (s, p) => new Alertmanager(s, "alertmanager", p) },
  overridesExporter: {
    file: "overrides-exporter",
    create: (s, p) => new OverridesExporter(s, "overrides-exporter", p),
  },
};

/**
 * Resolved cache settings, or undefined when the cache is off for this environment. Every mode
 * may use every cache: even the read-only DR path reads through the results, index, chunks and
 * metadata caches.
 */
export function cacheSettings(config: PlatformConfig, name: CacheName): (CacheSettings & typeof CACHE_DEFAULTS.results) | undefined {
  const settings = config.caches[name];
  if (settings?.enabled === false || settings?.replicas === 0) return undefined;
  const defaults = CACHE_DEFAULTS[name];
  return {
    enabled: true,
    replicas: settings?.replicas ?? 1,
    connectionLimit: settings?.connectionLimit ?? 16384,
    memoryMb: settings?.memoryMb ?? defaults.memoryMb,
    maxItemMb: settings?.maxItemMb ?? defaults.maxItemMb,
    hitRatioObjective: settings?.hitRatioObjective ?? defaults.hitRatioObjective,
  };
}

/**
 * Builds the cdk8s App of one environment: one Chart per output file (the chart id is the file
 * name), all namespaced charts in the platform namespace.
 */
export function buildPlatform(inputs: EnvironmentInputs): App {
  const { config, infra } = inputs;
  const app = new App({ outdir: "unused" });
  const namespace = config.namespace;
  const mode = config.mimir.deploymentMode;
  const chart = (file: string) => new Chart(app, file, { namespace, disableResourceNameHashes: true });

  // Cluster-scoped objects live in their own chart so no namespace is stamped on them.
  const cluster = new Chart(app, "cluster", { disableResourceNameHashes: true });
  new k8s.KubeNamespace(cluster, "namespace", {
    metadata: {
      name: namespace,
      labels: {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        // Every platform pod satisfies the restricted Pod Security Standard; enforce it.
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    },
  });
  if (config.storage.createStorageClass) {
    new Gp3StorageClass(cluster, "storage-class", { name: config.storage.storageClassName });
  }

  // Caches first: mimir.yaml needs their addresses.
  const caches: Record<string, { addresses: string; maxItemSizeBytes: number }> = {};
  for (const name of ["results", "index", "chunks", "metadata"] as const) {
    const settings = cacheSettings(config, name);
    if (!settings) continue;
    const cache = new MemcachedCache(chart(`${name}-cache`), "memcached", {
      name: `${name}-cache`,
      instance: INSTANCE,
      replicas: settings.replicas,
      memoryMb: settings.memoryMb,
      maxItemMb: settings.maxItemMb,
      connectionLimit: settings.connectionLimit,
    });
    caches[name] = { addresses: cache.mimirAddress(namespace, CLUSTER_DOMAIN), maxItemSizeBytes: cache.maxItemSizeBytes };
  }

  const zones =
    config.mimir.zoneAwareReplication && infra
      ? infra.availabilityZones.slice(0, 3).map((awsZone, index) => ({ name: `zone-${"abc"[index]}`, awsZone }))
      : [];
  const minioEndpoint = `minio.${namespace}.svc.${CLUSTER_DOMAIN}:${MINIO_PORT}`;
  const storage = objectStorageFor(config, infra, minioEndpoint);
  const components = COMPONENTS_BY_MODE[mode];
  const mimirConfig = buildMimirConfig({
    config,
    context: { namespace, clusterDomain: CLUSTER_DOMAIN, zones },
    storage,
    caches: caches as CacheEndpoints,
    alertmanagerReplicas: mode === "monolithic" ? 1 : (config.mimir.components.alertmanager?.replicas ?? 3),
  });
  const context: MimirContext = {
    namespace,
    instance: INSTANCE,
    image: config.mimir.image,
    serviceAccountName: "mimir",
    configMapName: "mimir-config",
    runtimeConfigMapName: "mimir-runtime",
    configHash: configHash(renderConfigYaml(mimirConfig)),
    storageClassName: config.storage.storageClassName,
    zones,
    clusterDomain: CLUSTER_DOMAIN,
  };

  const shared = chart("mimir-config");
  new MimirServiceAccount(shared, "service-account", {
    name: context.serviceAccountName,
    instance: INSTANCE,
    ...(infra ? { roleArn: infra.mimirRoleArn } : {}),
  });
  new MimirConfigMaps(shared, "config-maps", {
    instance: INSTANCE,
    configMapName: context.configMapName,
    runtimeConfigMapName: context.runtimeConfigMapName,
    mimirConfig,
    runtimeConfig: buildRuntimeConfig(config),
  });
  new GossipRing(chart("gossip-ring"), "gossip-ring", { context });

  if (mode === "monolithic") {
    const credentialsSecret = "minio-credentials";
    new Minio(chart("minio"), "minio", {
      instance: INSTANCE,
      buckets: [storage.bucket],
      credentialsSecret,
      storageClassName: config.storage.storageClassName,
    });
    new Monolithic(chart("mimir"), "mimir", {
      context,
      ...(config.mimir.monolithic ? { settings: config.mimir.monolithic } : {}),
      credentialsSecret,
    });
  }

  for (const name of components) {
    const { file, create } = COMPONENT_CONSTRUCTS[name];
    const componentChart = chart(file);
    // A component with its own IRSA role (Terraform component_irsa_role_arns) gets its own ServiceAccount.
    const roleArn = infra?.componentRoleArns[file];
    let componentContext = context;
    if (roleArn) {
      const serviceAccountName = `mimir-${file}`;
      new MimirServiceAccount(componentChart, "service-account", { name: serviceAccountName, instance: INSTANCE, roleArn });
      componentContext = { ...context, serviceAccountName };
    }
    const settings = config.mimir.components[name];
    create(componentChart, { context: componentContext, ...(settings ? { settings } : {}) });
  }

  if (zones.length > 0) {
    new RolloutOperator(chart("rollout-operator"), "rollout-operator", {
      namespace,
      instance: INSTANCE,
      clusterScope: new Chart(app, "rollout-operator-webhooks", { disableResourceNameHashes: true }),
    });
  }

  if (config.gateway.enabled) {
    const fqdnPort = (service: string) => `${serviceFqdn(context, service)}:${MIMIR_PORTS.http}`;
    const single = mode === "monolithic" ? fqdnPort("mimir") : undefined;
    new Gateway(chart("gateway"), "gateway", {
      namespace,
      instance: INSTANCE,
      settings: config.gateway,
      tenants: config.tenants.map((tenant) => tenant.id),
      upstreams: {
        queryFrontend: single ?? fqdnPort(MIMIR_SERVICE_NAMES.queryFrontend),
        // The read-only (DR) deployment has no write path, ruler or Alertmanager: those routes 404.
        ...(mode === "read-only"
          ? {}
          : {
              distributor: single ?? fqdnPort(MIMIR_SERVICE_NAMES.distributorHeadless),
              ruler: single ?? fqdnPort(MIMIR_SERVICE_NAMES.ruler),
              alertmanager: single ?? fqdnPort(MIMIR_SERVICE_NAMES.alertmanagerHeadless),
            }),
      },
      resolver: KUBE_DNS,
      ...(config.secretStore ? { secretStore: config.secretStore } : {}),
    });
  }
  return app;
}
