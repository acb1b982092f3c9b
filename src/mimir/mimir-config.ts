import type { InfraOutputs } from "../config/infra-outputs.js";
import type { MimirLimits } from "../config/mimir-limits.js";
import type { CacheName, PlatformConfig } from "../config/schema.js";
import { byCodeUnit } from "../lib/order.js";
import { haSampleTenants } from "../collection/ha.js";
import { dnsDiscoveryAddress, hostPort, httpUrl, srvDiscoveryUrl, type ServiceRef } from "../lib/service-ref.js";
import type { CacheEndpoint, ObjectStorage, RulerRuleFiles } from "../synth/family.js";
import { REPLICATION_FACTOR } from "./components.js";
import { MIMIR_PATHS, MIMIR_PORTS, type MimirZone } from "./context.js";

/** The Services mimir.yaml addresses, as the component constructs created them. */
export interface MimirConfigServices {
  /** memberlist seed (headless, every gossip member). */
  readonly gossipRing: ServiceRef;
  /** Query-scheduler (headless); absent in monolithic mode, where the scheduler runs in-process. */
  readonly scheduler?: ServiceRef;
  /** Where the ruler sends alerts: the headless Alertmanager Service, or the single process locally. */
  readonly alertmanager?: ServiceRef;
}

export interface MimirConfigInputs {
  readonly config: PlatformConfig;
  readonly zones: readonly MimirZone[];
  readonly storage: ObjectStorage;
  readonly caches: Partial<Readonly<Record<CacheName, CacheEndpoint>>>;
  readonly services: MimirConfigServices;
  /** Replicas of the alertmanager StatefulSet; the ring's replication factor cannot exceed it. */
  readonly alertmanagerReplicas: number;
  /** ingester.instance_limits.max_series; undefined where no separate ingesters run. */
  readonly ingesterMaxSeries?: number;
  /** Rules from git, mounted per tenant: the ruler then reads local storage instead of the bucket. */
  readonly rulerRules?: RulerRuleFiles;
}

/** `querier.max_concurrent`: queries one querier runs at once (the rules' querier-utilisation signal divides by it). */
export const QUERIER_MAX_CONCURRENT = 16;

/** Environment variables referenced from mimir.yaml through -config.expand-env. */
export const MIMIR_EXPAND_ENV_VARIABLES = ["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"] as const;

/**
 * How long after the fact data can still appear in the DR bucket: an ingester cuts a block once its
 * head spans 3h, then the block, and later the compactor's bucket index, are replicated by S3 and
 * picked up by DR's 15-minute syncs. Results newer than this are not cached in DR, so a cached
 * partial answer never hides data that arrives late.
 */
export const DR_RESULTS_CACHE_FRESHNESS = "6h";

/**
 * DR reads a bucket index that prod's compactor writes and S3 replicates. During a prod outage,
 * exactly when DR is needed, the index stops being updated; the 1h default would then fail every
 * query. Staleness is alerted on instead (bucket index update age), not enforced.
 */
export const DR_BUCKET_INDEX_MAX_STALE_PERIOD = "8760h";

/** Chooses the object storage from the Terraform outputs (DR reads the replicated bucket). */
export function s3StorageFor(config: PlatformConfig, infra: InfraOutputs): ObjectStorage {
  if (config.mimir.deploymentMode === "read-only") {
    const dr = infra.dr!;
    return { kind: "s3", region: dr.region, bucket: dr.bucket, kmsKeyArn: dr.kmsKeyArn };
  }
  return {
    kind: "s3",
    region: infra.region,
    bucket: infra.mimirBucket,
    rulerBucket: infra.mimirRulerBucket,
    alertmanagerBucket: infra.mimirAlertmanagerBucket,
    kmsKeyArn: infra.kmsKeyArn,
  };
}

function memcachedClient(endpoint: CacheEndpoint, tuning: Record<string, unknown>): Record<string, unknown> {
  return {
    backend: "memcached",
    memcached: { addresses: endpoint.addresses, max_item_size: endpoint.maxItemSizeBytes, ...tuning },
  };
}

/**
 * Builds mimir.yaml for the classic (no Kafka) architecture. Keys and values follow Mimir's config
 * descriptor; every key is checked against it by the validation chain.
 */
export function buildMimirConfig(inputs: MimirConfigInputs): Record<string, unknown> {
  const { config, storage, caches, services } = inputs;
  const mode = config.mimir.deploymentMode;
  const zoneAware = inputs.zones.length > 0;
  const replicationFactor = mode === "monolithic" ? 1 : REPLICATION_FACTOR;
  // Monolithic: no address at all, so the frontend and querier use the in-process scheduler.
  const schedulerAddress = services.scheduler ? hostPort(services.scheduler, "grpc") : undefined;
  const alertmanagerUrl = !services.alertmanager
    ? undefined
    : services.alertmanager.headless
      ? srvDiscoveryUrl(services.alertmanager, "http-metrics", "/alertmanager")
      : httpUrl(services.alertmanager, "http-metrics", "/alertmanager");

  // Blocks, rules and alertmanager state share one bucket under separate prefixes unless Terraform
  // gives them their own buckets (they must never share bucket + prefix).
  const s3 =
    storage.kind === "s3"
      ? {
          endpoint: `s3.${storage.region}.amazonaws.com`,
          region: storage.region,
          bucket_name: storage.bucket,
          sse: { type: "SSE-KMS", kms_key_id: storage.kmsKeyArn },
        }
      : {
          endpoint: storage.endpoint,
          bucket_name: storage.bucket,
          insecure: true,
          // Dev-only MinIO credentials, injected as env vars from the local MinIO Secret.
          access_key_id: "${MINIO_ROOT_USER}",
          secret_access_key: "${MINIO_ROOT_PASSWORD}",
        };
  const rulerBucket = storage.kind === "s3" ? storage.rulerBucket : undefined;
  const alertmanagerBucket = storage.kind === "s3" ? storage.alertmanagerBucket : undefined;

  const limits: MimirLimits = {
    // Platform defaults for every tenant; config.mimir.limits and per-tenant overrides win.
    compactor_blocks_retention_period: config.mimir.retention,
    max_query_parallelism: 240,
    max_total_query_length: "12000h",
    max_cache_freshness: mode === "read-only" ? DR_RESULTS_CACHE_FRESHNESS : "10m",
    ...(alertmanagerUrl ? { ruler_alertmanager_client_config: { alertmanager_url: alertmanagerUrl } } : {}),
    ...config.mimir.limits,
  };

  const ringTimings = { heartbeat_period: "1m", heartbeat_timeout: "4m" };
  const doc: Record<string, unknown> = {
    multitenancy_enabled: true,
    usage_stats: { enabled: false },
    server: {
      http_listen_port: MIMIR_PORTS.http,
      grpc_listen_port: MIMIR_PORTS.grpc,
      log_format: "json",
      log_level: config.mimir.logLevel,
      grpc_server_max_recv_msg_size: 104857600,
      grpc_server_max_send_msg_size: 104857600,
    },
    common: { storage: { backend: "s3", s3 } },
    blocks_storage: {
      backend: "s3",
      storage_prefix: "blocks",
      tsdb: { dir: `${MIMIR_PATHS.dataDir}/tsdb`, head_compaction_interval: "15m", wal_replay_concurrency: 3 },
      bucket_store: {
        sync_dir: `${MIMIR_PATHS.dataDir}/tsdb-sync`,
        ...(mode === "read-only" ? { bucket_index: { max_stale_period: DR_BUCKET_INDEX_MAX_STALE_PERIOD } } : {}),
        ...(caches.index
          ? { index_cache: memcachedClient(caches.index, { timeout: "750ms", max_idle_connections: 150 }) }
          : {}),
        ...(caches.chunks
          ? { chunks_cache: memcachedClient(caches.chunks, { timeout: "750ms", max_idle_connections: 150 }) }
          : {}),
        ...(caches.metadata
          ? { metadata_cache: memcachedClient(caches.metadata, { max_idle_connections: 150 }) }
          : {}),
      },
    },
    // Rules from git (read-only: the ruler API cannot change them), else tenants' uploads in the bucket.
    ruler_storage: inputs.rulerRules ? { backend: "local", local: { directory: MIMIR_PATHS.rulerRulesDir } } : {
      backend: "s3",
      ...(rulerBucket ? { s3: { bucket_name: rulerBucket } } : { storage_prefix: "ruler" }),
      ...(caches.metadata ? { cache: memcachedClient(caches.metadata, {}) } : {}),
    },
    alertmanager_storage: {
      backend: "s3",
      ...(alertmanagerBucket ? { s3: { bucket_name: alertmanagerBucket } } : { storage_prefix: "alertmanager" }),
    },
    // Classic architecture: ingesters receive writes over gRPC from distributors, no Kafka.
    ingest_storage: { enabled: false },
    ingester: {
      ...(inputs.ingesterMaxSeries !== undefined ? { instance_limits: { max_series: inputs.ingesterMaxSeries } } : {}),
      ring: {
        replication_factor: replicationFactor,
        zone_awareness_enabled: zoneAware,
        num_tokens: 512,
        tokens_file_path: `${MIMIR_PATHS.dataDir}/tokens`,
        unregister_on_shutdown: false,
        final_sleep: "0s",
        heartbeat_period: "2m",
        heartbeat_timeout: "10m",
      },
    },
    distributor: {
      ring: ringTimings,
      // De-duplicates the HA Prometheus pairs of the collection family (src/collection/ha.ts).
      ...(haSampleTenants(config).length > 0 ? { ha_tracker: { enable_ha_tracker: true, kvstore: { store: "memberlist" } } } : {}),
    },
    frontend: {
      ...(schedulerAddress ? { scheduler_address: schedulerAddress } : {}),
      parallelize_shardable_queries: true,
      ...(caches.results
        ? {
            cache_results: true,
            query_sharding_target_series_per_shard: 2500,
            results_cache: {
              ...memcachedClient(caches.results, { timeout: "500ms" }),
              compression: "snappy",
            },
          }
        : {}),
    },
    frontend_worker: {
      ...(schedulerAddress ? { scheduler_address: schedulerAddress } : {}),
      grpc_client_config: { max_send_msg_size: 419430400 },
    },
    querier: {
      max_concurrent: QUERIER_MAX_CONCURRENT,
      // DR's ingesters are idle: every query reads the replicated bucket, whatever its time range.
      ...(mode === "read-only" ? { query_store_after: "0s" } : {}),
    },
    query_scheduler: { max_outstanding_requests_per_tenant: 800 },
    store_gateway: {
      sharding_ring: {
        replication_factor: replicationFactor,
        zone_awareness_enabled: zoneAware,
        ...(zoneAware ? { kvstore: { prefix: "multi-zone/" } } : {}),
        tokens_file_path: `${MIMIR_PATHS.dataDir}/tokens`,
        unregister_on_shutdown: false,
        heartbeat_period: "1m",
        heartbeat_timeout: "10m",
        wait_stability_min_duration: mode === "monolithic" ? "0s" : "1m",
      },
    },
    compactor: {
      data_dir: MIMIR_PATHS.dataDir,
      compaction_interval: "30m",
      deletion_delay: "2h",
      first_level_compaction_wait_period: "25m",
      max_opening_blocks_concurrency: 4,
      max_closing_blocks_concurrency: 2,
      symbols_flushers_concurrency: 4,
      sharding_ring: { ...ringTimings, wait_stability_min_duration: mode === "monolithic" ? "0s" : "1m" },
    },
    ruler: { rule_path: MIMIR_PATHS.dataDir, enable_api: true, ring: ringTimings },
    alertmanager: {
      data_dir: MIMIR_PATHS.dataDir,
      enable_api: true,
      external_url: "/alertmanager",
      fallback_config_file: `${MIMIR_PATHS.alertmanagerFallbackDir}/alertmanager_fallback_config.yaml`,
      sharding_ring: { replication_factor: Math.max(1, Math.min(3, inputs.alertmanagerReplicas)) },
    },
    memberlist: {
      join_members: [dnsDiscoveryAddress(services.gossipRing, "gossip-ring")],
      abort_if_cluster_join_fails: false,
      // Keeps this cluster's gossip from merging with another environment's by mistake.
      cluster_label: `${config.project}-${config.envName}`,
    },
    runtime_config: { file: MIMIR_PATHS.runtimeFile, period: "10s" },
    activity_tracker: { filepath: `${MIMIR_PATHS.activeQueryTrackerDir}/activity.log` },
    limits,
  };
  return doc;
}

/**
 * runtime.yaml: per-tenant overrides Mimir reloads without restarts. Only tenants with something to
 * override appear; every tenant is listed in docs/README, not here.
 */
export function buildRuntimeConfig(config: PlatformConfig): Record<string, unknown> {
  const overrides: Record<string, MimirLimits> = {};
  for (const tenant of [...config.tenants].sort((a, b) => byCodeUnit(a.id, b.id))) {
    const ha = haSampleTenants(config).find((entry) => entry.tenant === tenant.id);
    const tenantLimits: MimirLimits = {
      ...(ha ? { accept_ha_samples: true, ha_cluster_label: ha.clusterLabel, ha_replica_label: ha.replicaLabel } : {}),
      ...(tenant.retention ? { compactor_blocks_retention_period: tenant.retention } : {}),
      ...(tenant.limits ?? {}),
    };
    if (Object.keys(tenantLimits).length > 0) overrides[tenant.id] = tenantLimits;
  }
  return { overrides };
}
