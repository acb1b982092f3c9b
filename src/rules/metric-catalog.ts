/**
 * The raw metric names each component we deploy (or scrape) exposes, as far as rules and
 * dashboards use them, plus the names of the recording rules this repository defines. Rules and
 * dashboard queries may only use names from here: a test parses every expression and checks it.
 *
 * Keep each list with the facts it comes from (Mimir's metric reference, the exporters' docs); a
 * metric a component does not expose must not be added just to make a query pass.
 */
import { RECORDING_RULE_NAMES } from "./recording-rules.js";

/** Who exposes a metric. */
export type MetricSource =
  | "mimir"
  | "memcached-exporter"
  | "rollout-operator"
  | "kube-state-metrics"
  | "node-exporter"
  | "kubelet"
  | "blackbox-exporter"
  | "prometheus"
  | "prometheus-operator"
  | "grafana"
  | "nginx";

/** Histograms are listed by base name: `<name>_bucket`, `<name>_sum` and `<name>_count` are known too. */
export interface MetricList {
  readonly counters?: readonly string[];
  readonly gauges?: readonly string[];
  readonly histograms?: readonly string[];
  /** Summaries: `<name>`, `<name>_sum`, `<name>_count`. */
  readonly summaries?: readonly string[];
}

/** Series every Prometheus scrape adds to every target. */
export const SCRAPE_SERIES = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"] as const;

const GO_PROCESS: MetricList = {
  counters: [
    "process_cpu_seconds_total",
    "go_cpu_classes_gc_total_cpu_seconds_total",
    "go_cpu_classes_total_cpu_seconds_total",
    "go_cpu_classes_idle_cpu_seconds_total",
  ],
  gauges: [
    "go_goroutines",
    "go_threads",
    "go_memstats_heap_inuse_bytes",
    "go_memstats_alloc_bytes",
    "process_resident_memory_bytes",
    "process_open_fds",
    "process_max_fds",
    "process_memory_map_areas",
    "process_memory_map_areas_limit",
  ],
};

export const RAW_METRICS: Readonly<Record<MetricSource, readonly MetricList[]>> = {
  mimir: [
    GO_PROCESS,
    {
      counters: [
        "cortex_distributor_received_samples_total",
        "cortex_distributor_samples_in_total",
        "cortex_discarded_samples_total",
        "cortex_ingester_ingested_samples_total",
        "cortex_query_seconds_total",
        "cortex_ruler_query_seconds_total",
        "cortex_ruler_queries_total",
        "cortex_ruler_queries_failed_total",
        "cortex_ruler_write_requests_total",
        "cortex_ruler_write_requests_failed_total",
        "cortex_ruler_ring_check_errors_total",
        "cortex_prometheus_rule_group_iterations_total",
        "cortex_prometheus_rule_group_iterations_missed_total",
        "cortex_prometheus_rule_evaluation_failures_total",
        "cortex_alertmanager_sync_configs_failed_total",
        "cortex_alertmanager_ring_check_errors_total",
        "cortex_alertmanager_partial_state_merges_failed_total",
        "cortex_alertmanager_state_replication_failed_total",
        "cortex_alertmanager_state_persist_failed_total",
        "cortex_alertmanager_state_initial_sync_completed_total",
        "cortex_alertmanager_notifications_total",
        "cortex_alertmanager_notifications_failed_total",
        "cortex_ingester_tsdb_compactions_failed_total",
        "cortex_ingester_tsdb_head_truncations_failed_total",
        "cortex_ingester_tsdb_checkpoint_creations_failed_total",
        "cortex_ingester_tsdb_checkpoint_deletions_failed_total",
        "cortex_ingester_tsdb_wal_truncations_failed_total",
        "cortex_ingester_tsdb_wal_corruptions_total",
        "cortex_ingester_tsdb_wal_writes_failed_total",
        "cortex_compactor_runs_failed_total",
        "cortex_compactor_disk_out_of_space_errors_total",
        "cortex_compactor_group_compaction_runs_started_total",
        "cortex_compactor_blocks_marked_for_no_compaction_total",
        "cortex_compactor_build_sparse_headers_failures_total",
        "cortex_frontend_query_result_cache_requests_total",
        "cortex_frontend_query_result_cache_hits_total",
        "cortex_frontend_query_result_cache_skipped_total",
        "thanos_cache_operations_total",
        "thanos_cache_operation_failures_total",
        "thanos_cache_requests_total",
        "thanos_cache_hits_total",
        "thanos_store_index_cache_requests_total",
        "thanos_store_index_cache_hits_total",
        "thanos_objstore_bucket_operations_total",
        "thanos_objstore_bucket_operation_failures_total",
        "cortex_query_frontend_retries_total",
      ],
      gauges: [
        "cortex_build_info",
        "cortex_ring_members",
        "memberlist_client_cluster_members_count",
        "cortex_runtime_config_last_reload_successful",
        "cortex_runtime_config_hash",
        "cortex_query_scheduler_queue_length",
        "cortex_query_frontend_queue_length",
        "cortex_ingester_memory_series",
        "cortex_ingester_memory_users",
        "cortex_ingester_active_series",
        "cortex_ingester_instance_limits",
        "cortex_ingester_tsdb_head_max_timestamp_seconds",
        "cortex_ingester_shipper_last_successful_upload_timestamp_seconds",
        "cortex_ingester_oldest_unshipped_block_timestamp_seconds",
        "cortex_lifecycler_read_only",
        "cortex_distributor_replication_factor",
        "cortex_distributor_inflight_push_requests",
        "cortex_distributor_instance_limits",
        "cortex_tcp_connections",
        "cortex_tcp_connections_limit",
        "grpc_concurrent_streams_by_conn_max",
        "cortex_grpc_concurrent_streams_limit",
        "cortex_bucket_stores_blocks_last_successful_sync_timestamp_seconds",
        "cortex_bucket_stores_tenants_synced",
        "cortex_bucket_index_last_successful_update_timestamp_seconds",
        "cortex_compactor_last_successful_run_timestamp_seconds",
        "cortex_compactor_block_cleanup_last_successful_run_timestamp_seconds",
        "thanos_objstore_bucket_last_successful_upload_time",
        "cortex_ruler_managers_total",
        "cortex_alertmanager_tenants_owned",
        "cortex_limits_overrides",
      ],
      histograms: [
        "cortex_request_duration_seconds",
        "cortex_kv_request_duration_seconds",
        "cortex_querier_request_duration_seconds",
        "cortex_query_frontend_queue_duration_seconds",
        "thanos_cache_operation_duration_seconds",
      ],
      summaries: ["cortex_query_scheduler_inflight_requests"],
    },
  ],
  "memcached-exporter": [
    {
      counters: ["memcached_commands_total", "memcached_items_evicted_total", "memcached_connections_total"],
      gauges: ["memcached_up", "memcached_limit_bytes", "memcached_current_bytes", "memcached_current_connections", "memcached_max_connections"],
    },
  ],
  "rollout-operator": [GO_PROCESS, { gauges: ["rollout_operator_last_successful_group_reconcile_timestamp_seconds"] }],
  "kube-state-metrics": [
    {
      counters: ["kube_pod_container_status_restarts_total"],
      gauges: [
        "kube_pod_info",
        "kube_pod_status_ready",
        "kube_pod_container_status_waiting_reason",
        "kube_pod_container_status_last_terminated_reason",
        "kube_node_status_condition",
        "kube_endpoint_address",
        "kube_statefulset_replicas",
        "kube_statefulset_status_replicas_ready",
        "kube_statefulset_status_replicas_updated",
        "kube_statefulset_status_current_revision",
        "kube_statefulset_status_update_revision",
        "kube_deployment_spec_replicas",
        "kube_deployment_status_replicas_updated",
        "kube_horizontalpodautoscaler_status_current_replicas",
        "kube_horizontalpodautoscaler_status_desired_replicas",
        "kube_horizontalpodautoscaler_spec_max_replicas",
        "kube_persistentvolumeclaim_info",
      ],
    },
  ],
  "node-exporter": [
    {
      counters: ["node_cpu_seconds_total"],
      gauges: ["node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_filesystem_readonly", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"],
    },
  ],
  kubelet: [
    {
      counters: ["container_cpu_usage_seconds_total"],
      gauges: [
        "container_memory_working_set_bytes",
        "container_memory_rss",
        "container_spec_memory_limit_bytes",
        "kubelet_volume_stats_available_bytes",
        "kubelet_volume_stats_capacity_bytes",
      ],
    },
  ],
  "blackbox-exporter": [{ gauges: ["probe_success", "probe_duration_seconds", "probe_http_status_code", "probe_ssl_earliest_cert_expiry"] }],
  prometheus: [
    GO_PROCESS,
    {
      counters: [
        "prometheus_remote_storage_samples_failed_total",
        "prometheus_remote_storage_samples_total",
        "prometheus_remote_storage_samples_retried_total",
        "prometheus_remote_storage_samples_dropped_total",
      ],
      gauges: [
        "prometheus_remote_storage_highest_timestamp_in_seconds",
        "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
        "prometheus_remote_storage_shards",
        "prometheus_remote_storage_shards_max",
        "prometheus_remote_storage_shards_desired",
        "prometheus_config_last_reload_successful",
      ],
    },
  ],
  "prometheus-operator": [GO_PROCESS],
  // Grafana's own /metrics (pkg/middleware request metrics, datasource HTTP client metrics).
  grafana: [
    GO_PROCESS,
    {
      counters: ["grafana_datasource_request_total"],
      histograms: ["grafana_http_request_duration_seconds", "grafana_datasource_request_duration_seconds"],
    },
  ],
  // The gateway's sidecars: nginx-prometheus-exporter (stub_status) and mtail (per-request lines,
  // src/gateway/log-metrics.ts).
  nginx: [
    GO_PROCESS,
    { counters: ["gateway_requests_total"], histograms: ["gateway_request_duration_seconds"] },
    {
      counters: ["nginx_connections_accepted", "nginx_connections_handled", "nginx_http_requests_total"],
      gauges: ["nginx_up", "nginx_connections_active", "nginx_connections_reading", "nginx_connections_waiting", "nginx_connections_writing"],
    },
  ],
};

const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"] as const;
const SUMMARY_SUFFIXES = ["_sum", "_count"] as const;

function expand(list: MetricList): string[] {
  return [
    ...(list.counters ?? []),
    ...(list.gauges ?? []),
    ...(list.histograms ?? []).flatMap((name) => [name, ...HISTOGRAM_SUFFIXES.map((suffix) => name + suffix)]),
    ...(list.summaries ?? []).flatMap((name) => [name, ...SUMMARY_SUFFIXES.map((suffix) => name + suffix)]),
  ];
}

/** Every raw metric name, with the sources exposing it. */
export const RAW_METRIC_SOURCES: ReadonlyMap<string, readonly MetricSource[]> = (() => {
  const map = new Map<string, MetricSource[]>();
  for (const source of Object.keys(RAW_METRICS) as MetricSource[]) {
    for (const name of [...RAW_METRICS[source].flatMap(expand), ...SCRAPE_SERIES]) {
      const sources = map.get(name) ?? [];
      if (!sources.includes(source)) sources.push(source);
      map.set(name, sources);
    }
  }
  return map;
})();

/** Names of the recording rules defined in src/rules (shard and ruler alike). */
export { RECORDING_RULE_NAMES };

/** Whether `name` is a raw metric of a deployed component or a recording rule we define. */
export function isKnownMetric(name: string): boolean {
  return RAW_METRIC_SOURCES.has(name) || RECORDING_RULE_NAMES.has(name);
}

/** What a name is: a recording rule, a raw metric (with its sources), or unknown. */
export function describeMetric(name: string): { kind: "recording" } | { kind: "raw"; sources: readonly MetricSource[] } | { kind: "unknown" } {
  if (RECORDING_RULE_NAMES.has(name)) return { kind: "recording" };
  const sources = RAW_METRIC_SOURCES.get(name);
  return sources ? { kind: "raw", sources } : { kind: "unknown" };
}
