/**
 * Recording rules. Names follow the mixin convention `level:metric:operations` (level = the labels
 * the result keeps, joined by `_`); the three cache hit ratios keep the names the dashboards and
 * SLO alerts were specified with (`cache:<cache>:hit_ratio`, level `cache`, result labels
 * `cluster, namespace`).
 *
 * Mimir's compactor does not downsample (it keeps raw resolution). The `:rate5m` / `:rate1h` /
 * `:avg1h` series below are **rollups**: new, smaller series recorded next to the raw ones, which
 * long-range dashboards and exports can read instead of the raw data. They start existing when the
 * rule is deployed (no backfill) and are retained like any other series.
 */
import { QUERIER_MAX_CONCURRENT } from "../mimir/mimir-config.js";
import type { RecordingGroup } from "./types.js";

/** `job` selector for a Mimir component, matching its microservice job and the single process. */
export function mimirJob(...components: readonly string[]): string {
  return `job=~".*/(${components.map((c) => `${c}.*`).join("|")}|mimir)"`;
}

export const RECORDING_GROUPS: readonly RecordingGroup[] = [
  {
    name: "mimir_shard_rollups",
    evaluation: "shard",
    purpose: "Per-pod rollups: each aggregates one pod's series only, so every Prometheus shard can record them for its own targets.",
    rules: [
      {
        // Mixin name; MimirIngesterNotShippingBlocks* read it.
        record: "cluster_namespace_pod:cortex_ingester_ingested_samples_total:rate4m",
        expr: "sum by (cluster, namespace, pod) (rate(cortex_ingester_ingested_samples_total[4m]))",
      },
      {
        record: "cluster_namespace_pod:cortex_distributor_received_samples:rate5m",
        expr: "sum by (cluster, namespace, pod) (rate(cortex_distributor_received_samples_total[5m]))",
      },
      {
        record: "cluster_namespace_pod:cortex_ingester_memory_series:avg1h",
        expr: "avg by (cluster, namespace, pod) (avg_over_time(cortex_ingester_memory_series[1h]))",
      },
    ],
  },
  {
    name: "mimir_api",
    evaluation: "ruler",
    purpose: "Request latency per route across all pods of a job (MimirRequestLatency).",
    rules: [
      {
        record: "cluster_namespace_job_route:cortex_request_duration_seconds:99quantile",
        expr: "histogram_quantile(0.99, sum by (le, cluster, namespace, job, route) (rate(cortex_request_duration_seconds_bucket[1m])))",
      },
    ],
  },
  {
    name: "mimir_cache_health",
    evaluation: "ruler",
    purpose: "Cache hit ratios across all query-frontends / store-gateways (cache SLO alerts and dashboards).",
    rules: [
      {
        record: "cache:query_frontend_result:hit_ratio",
        expr:
          "sum by (cluster, namespace) (rate(cortex_frontend_query_result_cache_hits_total[5m]))\n/\n" +
          "sum by (cluster, namespace) (rate(cortex_frontend_query_result_cache_requests_total[5m]))",
      },
      {
        record: "cache:store_gateway_index:hit_ratio",
        expr:
          'sum by (cluster, namespace) (rate(thanos_store_index_cache_hits_total{component="store-gateway"}[5m]))\n/\n' +
          'sum by (cluster, namespace) (rate(thanos_store_index_cache_requests_total{component="store-gateway"}[5m]))',
      },
      {
        record: "cache:store_gateway_chunks:hit_ratio",
        expr:
          'sum by (cluster, namespace) (rate(thanos_cache_hits_total{component="store-gateway", name="chunks-cache"}[5m]))\n/\n' +
          'sum by (cluster, namespace) (rate(thanos_cache_requests_total{component="store-gateway", name="chunks-cache"}[5m]))',
      },
    ],
  },
  {
    name: "mimir_autoscaling_signals",
    evaluation: "ruler",
    purpose: "Signals an HPA (through a metrics adapter) or an operator sizes the read and write paths by.",
    rules: [
      {
        record: "cluster_namespace:cortex_distributor_received_samples_per_replica:rate5m",
        expr:
          `sum by (cluster, namespace) (rate(cortex_distributor_received_samples_total{${mimirJob("distributor")}}[5m]))\n/\n` +
          `count by (cluster, namespace) (up{${mimirJob("distributor")}} == 1)`,
      },
      {
        record: "cluster_namespace:cortex_query_scheduler_queue_length:sum",
        expr: "sum by (cluster, namespace) (cortex_query_scheduler_queue_length)",
      },
      {
        // Busy querier workers (the scheduler's median in-flight requests) over the worker slots.
        record: "cluster_namespace:cortex_querier_utilisation:ratio",
        expr:
          'sum by (cluster, namespace) (max_over_time(cortex_query_scheduler_inflight_requests{quantile="0.5"}[1m]))\n/\n' +
          `(count by (cluster, namespace) (up{${mimirJob("querier")}} == 1) * ${QUERIER_MAX_CONCURRENT})`,
      },
    ],
  },
  {
    name: "mimir_rollups",
    evaluation: "ruler",
    interval: "1m",
    purpose: "Cluster-wide rollups of the key series for long-range dashboards (rollups, not downsampling).",
    rules: [
      {
        record: "cluster_namespace:cortex_distributor_received_samples:rate5m",
        expr: "sum by (cluster, namespace) (rate(cortex_distributor_received_samples_total[5m]))",
      },
      {
        record: "cluster_namespace:cortex_distributor_received_samples:rate1h",
        expr: "sum by (cluster, namespace) (rate(cortex_distributor_received_samples_total[1h]))",
      },
      {
        record: "cluster_namespace:cortex_ingester_memory_series:avg1h",
        expr: "sum by (cluster, namespace) (avg_over_time(cortex_ingester_memory_series[1h]))",
      },
    ],
  },
  {
    name: "mimir_billing",
    evaluation: "ruler",
    purpose: "Per-tenant usage for the billing dashboard and exports.",
    rules: [
      {
        // Every series lives on RF ingesters: divide by the replication factor to count it once.
        record: "cluster_namespace_user:cortex_ingester_active_series:sum_dedup",
        expr:
          "sum by (cluster, namespace, user) (cortex_ingester_active_series)\n" +
          "/ on (cluster, namespace) group_left\n" +
          "max by (cluster, namespace) (cortex_distributor_replication_factor)",
      },
      {
        record: "cluster_namespace_user:cortex_distributor_received_samples:rate5m",
        expr: "sum by (cluster, namespace, user) (rate(cortex_distributor_received_samples_total[5m]))",
      },
      {
        record: "cluster_namespace_user:cortex_query_seconds:rate5m",
        expr: "sum by (cluster, namespace, user) (rate(cortex_query_seconds_total[5m]))",
      },
      {
        record: "cluster_namespace_user:cortex_distributor_received_samples:rate1h",
        expr: "sum by (cluster, namespace, user) (rate(cortex_distributor_received_samples_total[1h]))",
      },
      {
        record: "cluster_namespace_user:cortex_query_seconds:rate1h",
        expr: "sum by (cluster, namespace, user) (rate(cortex_query_seconds_total[1h]))",
      },
    ],
  },
];

/** Every recording rule name, for the metric catalogue. */
export const RECORDING_RULE_NAMES: ReadonlySet<string> = new Set(RECORDING_GROUPS.flatMap((group) => group.rules.map((rule) => rule.record)));
