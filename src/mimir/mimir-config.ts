import type { InfraOutputs } from "../config/infra-outputs.js";
import type { MimirLimits } from "../config/mimir-limits.js";
import type { PlatformConfig } from "../config/schema.js";
import { MIMIR_PATHS, MIMIR_PORTS, MIMIR_SERVICE_NAMES, serviceFqdn, type MimirContext } from "./context.js";
import { byCodeUnit } from "../lib/order.js";

/** A memcached cluster as Mimir's cache client sees it. */
export interface CacheEndpoint {
  /** e.g. `dns+chunks-cache.mimir.svc.cluster.local:11211` (A lookup of the headless Service: one entry per pod). */
  readonly addresses: string;
  /** Must equal the server's `-I` in bytes. */
  readonly maxItemSizeBytes: number;
}

export interface CacheEndpoints {
  readonly results?: CacheEndpoint;
  readonly index?: CacheEndpoint;
  readonly chunks?: CacheEndpoint;
  readonly metadata?: CacheEndpoint;
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
      /** Local development only: MinIO inside the cluster, credentials from env (see MinIO construct). */
      readonly kind: "minio";
      readonly endpoint: string;
      readonly bucket: string;
    };

export interface MimirConfigInputs {
  readonly config: PlatformConfig;
  readonly context: Pick<MimirContext, "namespace" | "clusterDomain" | "zones">;
  readonly storage: ObjectStorage;
  readonly caches: CacheEndpoints;
  /** Replicas of the alertmanager StatefulSet; the ring's replication factor cannot exceed it. */
  readonly alertmanagerReplicas: number;
}

/** Environment variables referenced from mimir.yaml through -config.expand-env. */
export const MIMIR_EXPAND_ENV_VARIABLES = ["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"] as const;

/** Chooses the object storage from the Terraform outputs (DR reads the replicated bucket). */
export function objectStorageFor(config: PlatformConfig, infra: InfraOutputs | undefined, minioEndpoint: string): ObjectStorage {
  if (config.mimir.deploymentMode === "monolithic" || !infra) {
    return { kind: "minio", endpoint: minioEndpoint, bucket: "mimir" };
  }
  if (config.mimir.deploymentMode === "read-only") {
    const dr = infra.dr!;
    return { kind: "s3", region: dr.region, bucket: dr.bucket, kmsKeyArn: dr.kmsKeyArn };
  }
  return {
    kind: "s3",
    region: infra.region,
    bucket: infra.mimirBucket,
    ...(infra.mimirRulerBucket ? { rulerBucket: infra.mimirRulerBucket } : {}),
    ...(infra.mimirAlertmanagerBucket ? { alertmanagerBucket: infra.mimirAlertmanagerBucket } : {}),
    kmsKeyArn: infra.kmsKeyArn,
  };
}

function memcachedClient(endpoint: CacheEndpoint, tuning: Record<string, unknown>) {
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
  const { config, context, storage, caches } = inputs;
  const mode = config.mimir.deploymentMode;
  const zoneAware = context.zones.length > 0;
  const fqdn = (service: string) => serviceFqdn(context, service);
  const schedulerAddress = `${fqdn(MIMIR_SERVICE_NAMES.querySchedulerHeadless)}:${MIMIR_PORTS.grpc}`;

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
    max_cache_freshness: "10m",
    ruler_alertmanager_client_config: {
      alertmanager_url: `dnssrvnoa+http://_http-metrics._tcp.${fqdn(MIMIR_SERVICE_NAMES.alertmanagerHeadless)}./alertmanager`,
    },
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
    ruler_storage: {
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
      ring: {
        replication_factor: mode === "monolithic" ? 1 : 3,
        zone_awareness_enabled: zoneAware,
        num_tokens: 512,
        tokens_file_path: `${MIMIR_PATHS.dataDir}/tokens`,
        unregister_on_shutdown: false,
        final_sleep: "0s",
        heartbeat_period: "2m",
        heartbeat_timeout: "10m",
      },
    },
    distributor: { ring: ringTimings },
    frontend: {
      scheduler_address: schedulerAddress,
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
      scheduler_address: schedulerAddress,
      grpc_client_config: { max_send_msg_size: 419430400 },
    },
    querier: {
      max_concurrent: 16,
      // DR has no ingesters: every query reads the replicated bucket.
      ...(mode === "read-only" ? { query_store_after: "0s" } : {}),
    },
    query_scheduler: { max_outstanding_requests_per_tenant: 800 },
    store_gateway: {
      sharding_ring: {
        replication_factor: mode === "monolithic" ? 1 : 3,
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
      join_members: [`dns+${fqdn(MIMIR_SERVICE_NAMES.gossipRing)}.:${MIMIR_PORTS.memberlist}`],
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
    const tenantLimits: MimirLimits = {
      ...(tenant.retention ? { compactor_blocks_retention_period: tenant.retention } : {}),
      ...(tenant.limits ?? {}),
    };
    if (Object.keys(tenantLimits).length > 0) overrides[tenant.id] = tenantLimits;
  }
  return { overrides };
}
