/**
 * Alerts on Mimir's own failure modes. Names are those of Grafana's Mimir mixin so its runbooks and
 * operators' habits carry over; the expressions are written here from Mimir's metrics (some are
 * simplified where the mixin handles deployment shapes we do not run, e.g. Kafka ingest storage),
 * and each one is unit-tested with promtool (test/rules/).
 */
import { MIMIR_SERVICE_NAMES } from "../mimir/context.js";
import { mimirJob } from "./recording-rules.js";
import type { AlertGroup, AlertingRule, Severity } from "./types.js";

const BUILD_INFO_SCOPE = "and on (cluster, namespace) (count by (cluster, namespace) (cortex_build_info) > 0)";
const ING = mimirJob("ingester");
const GOSSIP_MEMBERS = mimirJob("alertmanager", "compactor", "distributor", "ingester", "querier", "ruler", "store-gateway");

/** `rate(failures) / rate(total)` per `by`, as a percentage, with the comparison outside the parentheses. */
function errorPercent(failures: string, total: string, by: string, range = "4m"): string {
  return `100 * (\n  sum by (${by}) (rate(${failures}[${range}]))\n  /\n  sum by (${by}) (rate(${total}[${range}]))\n)`;
}

/** A usage/limit ratio that only counts where the limit is set (limit 0 = unlimited). */
function limitRatio(usage: string, limit: string): string {
  return `(\n  (${usage} / ignoring (limit) ${limit})\n  and ignoring (limit)\n  (${limit} > 0)\n)`;
}

const ROLLOUT_GROUP = (metric: string, kind: "statefulset" | "deployment") =>
  `sum by (cluster, namespace, rollout_group) (label_replace(${metric}, "rollout_group", "$1", "${kind}", "(.*?)(?:-zone-[a-z])?"))`;

function rolloutStuck(kind: "statefulset" | "deployment", severity: Severity, duration: "30m" | "6h"): AlertingRule {
  const [desired, updated] =
    kind === "statefulset"
      ? ["kube_statefulset_replicas", "kube_statefulset_status_replicas_updated"]
      : ["kube_deployment_spec_replicas", "kube_deployment_status_replicas_updated"];
  return {
    alert: "MimirRolloutStuck",
    expr:
      `(\n  ${ROLLOUT_GROUP(desired, kind)}\n  !=\n  ${ROLLOUT_GROUP(updated, kind)}\n)\n` +
      `and (changes(${ROLLOUT_GROUP(updated, kind)}[15m:1m]) == 0)\n${BUILD_INFO_SCOPE}`,
    for: duration,
    severity,
    labels: { workload_type: kind },
    summary: "The {{ $labels.rollout_group }} rollout is stuck.",
    description: `No ${kind} replica of rollout group {{ $labels.rollout_group }} in {{ $labels.cluster }}/{{ $labels.namespace }} has been updated for ${duration} while some still run the old revision.`,
  };
}

function tsdbFailure(alert: string, counter: string, what: string, severity: Severity, duration?: "15m" | "12m", range = "5m"): AlertingRule {
  return {
    alert,
    expr: `rate(${counter}[${range}]) > 0`,
    for: duration,
    severity,
    summary: `Ingester {{ $labels.pod }} is failing to ${what}.`,
    description: `Mimir ingester {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} is failing to ${what} (${counter} is increasing).`,
  };
}

function rateAboveZero(alert: string, counter: string, range: "4m" | "5m" | "15m", duration: "10m" | "30m" | "1h", summary: string): AlertingRule {
  return {
    alert,
    expr: `rate(${counter}[${range}]) > 0`,
    for: duration,
    severity: "critical",
    summary,
    description: `${summary.replace("{{ $labels.pod }}", "{{ $labels.job }}/{{ $labels.pod }}")} (${counter} increased during the last ${duration}).`,
  };
}

export function mimirAlertGroups(): AlertGroup[] {
  return [
    {
      name: "mimir_alerts",
      rules: [
        {
          alert: "MimirIngesterUnhealthy",
          expr: 'min by (cluster, namespace) (cortex_ring_members{state="Unhealthy", name="ingester"}) > 0',
          for: "15m",
          severity: "critical",
          summary: "{{ $value }} ingester(s) are unhealthy in the ring.",
          description: "Mimir cluster {{ $labels.cluster }}/{{ $labels.namespace }} has {{ $value }} unhealthy ingester(s) in the ring; writes fail once a quorum is lost.",
        },
        {
          alert: "MimirRequestErrors",
          // 529 (distributor rate limiting) and 598 are not server errors.
          expr:
            errorPercent(
              'cortex_request_duration_seconds_count{status_code=~"5..", status_code!~"529|598", route!~"ready|debug_pprof"}',
              'cortex_request_duration_seconds_count{route!~"ready|debug_pprof"}',
              "cluster, namespace, job, route",
            ) + " > 1",
          for: "15m",
          severity: "critical",
          summary: "Route {{ $labels.route }} of {{ $labels.job }} returns {{ printf \"%.2f\" $value }}% errors.",
          description: "The route {{ $labels.route }} of {{ $labels.job }} in {{ $labels.cluster }}/{{ $labels.namespace }} has answered more than 1% of requests with 5xx for 15 minutes.",
        },
        {
          alert: "MimirRequestLatency",
          expr:
            'cluster_namespace_job_route:cortex_request_duration_seconds:99quantile{route!~"metrics|/frontend.Frontend/Process|ready|/schedulerpb.SchedulerForFrontend/FrontendLoop|/schedulerpb.SchedulerForQuerier/QuerierLoop|debug_pprof"}\n> 2.5',
          for: "15m",
          severity: "warning",
          summary: "Route {{ $labels.route }} of {{ $labels.job }} has a p99 latency of {{ printf \"%.2f\" $value }}s.",
          description: "The 99th percentile latency of {{ $labels.job }} {{ $labels.route }} in {{ $labels.cluster }}/{{ $labels.namespace }} has been above 2.5s for 15 minutes.",
        },
        {
          alert: "MimirInconsistentRuntimeConfig",
          expr: "count by (cluster, namespace) (count by (cluster, namespace, sha256) (cortex_runtime_config_hash)) > 1",
          for: "1h",
          severity: "critical",
          summary: "Mimir processes use different runtime configs.",
          description: "{{ $value }} different runtime config files have been in use across {{ $labels.cluster }}/{{ $labels.namespace }} for an hour (a ConfigMap update normally propagates in minutes).",
        },
        {
          alert: "MimirBadRuntimeConfig",
          // The gauge drops to 0 when a reload fails; the process keeps the last good config.
          expr: "cortex_runtime_config_last_reload_successful == 0",
          for: "5m",
          severity: "critical",
          summary: "{{ $labels.job }} failed to reload its runtime config.",
          description: "{{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} cannot load runtime.yaml and keeps running with the previous per-tenant limits.",
        },
        {
          alert: "MimirSchedulerQueriesStuck",
          expr:
            "(sum by (cluster, namespace, job) (cortex_query_scheduler_queue_length) > 0)\n" +
            "and\n(min_over_time(delta(sum by (cluster, namespace, job) (cortex_query_scheduler_queue_length)[4m:15s])[4m:15s]) >= 0)",
          for: "7m",
          severity: "critical",
          summary: "{{ $value }} queries are stuck in the {{ $labels.job }} queue.",
          description: "The query-scheduler queue in {{ $labels.cluster }}/{{ $labels.namespace }} has not shrunk for 7 minutes: queriers are not picking up work.",
        },
        {
          alert: "MimirCacheRequestErrors",
          // The compiled mixin writes `(failures / ops > 10) * 100 > 5`: `>` binds looser than `/`, so
          // its `> 10` filters the ratio and the alert can never fire. Compare the percentage once.
          expr:
            errorPercent(
              'thanos_cache_operation_failures_total{operation!~"add|delete"}',
              'thanos_cache_operations_total{operation!~"add|delete"}',
              "cluster, namespace, name, operation",
            ) + " > 5",
          for: "5m",
          severity: "warning",
          summary: "Cache {{ $labels.name }} fails {{ printf \"%.2f\" $value }}% of {{ $labels.operation }} operations.",
          description: "The {{ $labels.name }} cache used by Mimir in {{ $labels.cluster }}/{{ $labels.namespace }} has failed more than 5% of {{ $labels.operation }} operations for 5 minutes.",
        },
        {
          alert: "MimirIngesterRestarts",
          expr:
            'sum by (cluster, namespace, pod) (increase(kube_pod_container_status_restarts_total{container=~"ingester|mimir"}[30m])) >= 2\n' +
            BUILD_INFO_SCOPE,
          severity: "warning",
          summary: "Ingester {{ $labels.pod }} restarted {{ printf \"%.0f\" $value }} times in 30 minutes.",
          description: "Mimir ingester {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has restarted at least twice in the last 30 minutes; every restart replays its WAL.",
        },
        {
          alert: "MimirKVStoreFailure",
          // Failures over all requests of the pod and KV store (the mixin also groups the total by
          // status_code, which makes any failing status code count as 100%).
          expr:
            '(\n  sum by (cluster, namespace, pod, kv_name) (rate(cortex_kv_request_duration_seconds_count{status_code!~"2.+"}[4m]))\n  /\n' +
            "  sum by (cluster, namespace, pod, kv_name) (rate(cortex_kv_request_duration_seconds_count[4m]))\n) == 1",
          for: "5m",
          severity: "critical",
          summary: "{{ $labels.pod }} cannot talk to the {{ $labels.kv_name }} KV store.",
          description: "Every request from {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} to the {{ $labels.kv_name }} KV store has failed for 5 minutes.",
        },
        {
          alert: "MimirMemoryMapAreasTooHigh",
          expr: `process_memory_map_areas{${mimirJob("ingester", "store-gateway")}} / process_memory_map_areas_limit{${mimirJob("ingester", "store-gateway")}} > 0.8`,
          for: "5m",
          severity: "critical",
          summary: "{{ $labels.pod }} is close to its mmap area limit.",
          description: "{{ $labels.job }}/{{ $labels.pod }} uses more than 80% of vm.max_map_count; at the limit TSDB operations fail.",
        },
        {
          alert: "MimirIngesterInstanceHasNoTenants",
          expr:
            "(\n  (min by (cluster, namespace, pod) (cortex_ingester_memory_users) == 0)\n  unless\n  (max by (cluster, namespace, pod) (cortex_lifecycler_read_only) > 0)\n)\n" +
            "and on (cluster, namespace)\n(sum by (cluster, namespace) (cortex_ingester_memory_series) / max by (cluster, namespace) (cortex_distributor_replication_factor) > 100000)",
          for: "1h",
          severity: "warning",
          summary: "Ingester {{ $labels.pod }} holds no tenants.",
          description: "Mimir ingester {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has had no tenant for an hour while the cluster holds data: it is probably not in the ring.",
        },
        {
          alert: "MimirRulerInstanceHasNoRuleGroups",
          expr:
            'min by (cluster, namespace, pod) (cortex_ruler_managers_total{pod=~"(.*mimir-)?ruler.*"}) == 0\n' +
            "and on (cluster, namespace) (max by (cluster, namespace) (cortex_ruler_managers_total) > 0)\n" +
            "and on (cluster, namespace) (count by (cluster, namespace) (cortex_ruler_managers_total) > 2)",
          for: "1h",
          severity: "warning",
          summary: "Ruler {{ $labels.pod }} evaluates no rule groups.",
          description: "Mimir ruler {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} owns no rule group while other rulers do; rule sharding may be broken.",
        },
        {
          alert: "MimirIngestedDataTooFarInTheFuture",
          expr:
            "max by (cluster, namespace, pod) (\n  cortex_ingester_tsdb_head_max_timestamp_seconds - time()\n  and\n  cortex_ingester_tsdb_head_max_timestamp_seconds > 0\n) > 3600",
          for: "5m",
          severity: "warning",
          summary: "Ingester {{ $labels.pod }} holds samples more than 1h in the future.",
          description: "Mimir ingester {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} ingested samples timestamped more than an hour ahead; its head block cannot be compacted until then.",
        },
        {
          alert: "MimirStoreGatewayTooManyFailedOperations",
          expr:
            '(\n  sum by (cluster, namespace, operation) (rate(thanos_objstore_bucket_operation_failures_total{component="store-gateway"}[4m]))\n  /\n' +
            '  sum by (cluster, namespace, operation) (rate(thanos_objstore_bucket_operations_total{component="store-gateway"}[4m]))\n) >= 0.01',
          for: "5m",
          severity: "warning",
          summary: "Store-gateways fail {{ $value | humanizePercentage }} of bucket {{ $labels.operation }} operations.",
          description: "Mimir store-gateways in {{ $labels.cluster }}/{{ $labels.namespace }} have failed at least 1% of {{ $labels.operation }} operations on the object storage for 5 minutes.",
        },
        {
          alert: "MimirRingMembersMismatch",
          expr:
            `(\n  avg by (cluster, namespace) (sum by (cluster, namespace, pod) (cortex_ring_members{name="ingester", ${ING}}))\n  !=\n  sum by (cluster, namespace) (up{${ING}})\n)\n` +
            'unless on (cluster, namespace)\n(\n  sum by (cluster, namespace) (kube_statefulset_replicas{statefulset=~".*ingester.*"})\n  !=\n  sum by (cluster, namespace) (kube_statefulset_status_replicas_updated{statefulset=~".*ingester.*"})\n)',
          for: "15m",
          severity: "warning",
          labels: { component: "ingester" },
          summary: "The ingester ring does not match the running ingesters.",
          description: "The number of members in the ingester ring of {{ $labels.cluster }}/{{ $labels.namespace }} differs from the number of ingesters scraped, outside of a rollout, for 15 minutes.",
        },
        {
          alert: "MimirHighGRPCStreamsPerConnection",
          expr:
            "max by (cluster, namespace, container) (avg_over_time(grpc_concurrent_streams_by_conn_max[10m]))\n/\n" +
            "min by (cluster, namespace, container) (cortex_grpc_concurrent_streams_limit) > 0.9",
          severity: "warning",
          summary: "{{ $labels.container }} uses over 90% of its gRPC streams per connection.",
          description: "Containers {{ $labels.container }} in {{ $labels.cluster }}/{{ $labels.namespace }} run close to the gRPC concurrent-streams limit per connection; further requests queue.",
        },
      ],
    },
    {
      name: "mimir_instance_limits_alerts",
      rules: [
        ...(
          [
            ["warning", 0.8, "3h"],
            ["critical", 0.9, "5m"],
          ] as const
        ).map(
          ([severity, threshold, duration]): AlertingRule => ({
            alert: "MimirIngesterReachingSeriesLimit",
            expr: `${limitRatio("cortex_ingester_memory_series", 'cortex_ingester_instance_limits{limit="max_series"}')} > ${threshold}`,
            for: duration,
            severity,
            summary: "Ingester {{ $labels.pod }} is at {{ $value | humanizePercentage }} of its series limit.",
            description: `Mimir ingester {{ $labels.job }}/{{ $labels.pod }} has held more than ${threshold * 100}% of ingester.instance_limits.max_series for ${duration}; at the limit it rejects new series.`,
          }),
        ),
        ...(
          [
            ["warning", 0.7],
            ["critical", 0.8],
          ] as const
        ).map(
          ([severity, threshold]): AlertingRule => ({
            alert: "MimirIngesterReachingTenantsLimit",
            expr: `${limitRatio("cortex_ingester_memory_users", 'cortex_ingester_instance_limits{limit="max_tenants"}')} > ${threshold}`,
            for: "5m",
            severity,
            summary: "Ingester {{ $labels.pod }} is at {{ $value | humanizePercentage }} of its tenant limit.",
            description: `Mimir ingester {{ $labels.job }}/{{ $labels.pod }} holds more than ${threshold * 100}% of ingester.instance_limits.max_tenants.`,
          }),
        ),
        {
          alert: "MimirReachingTCPConnectionsLimit",
          expr: "cortex_tcp_connections / cortex_tcp_connections_limit > 0.8\nand\ncortex_tcp_connections_limit > 0",
          for: "5m",
          severity: "critical",
          summary: "{{ $labels.pod }} is at {{ $value | humanizePercentage }} of its {{ $labels.protocol }} connection limit.",
          description: "Mimir instance {{ $labels.job }}/{{ $labels.pod }} has used more than 80% of its TCP connection limit for {{ $labels.protocol }} for 5 minutes.",
        },
        {
          alert: "MimirDistributorInflightRequestsHigh",
          expr: `${limitRatio("cortex_distributor_inflight_push_requests", 'cortex_distributor_instance_limits{limit="max_inflight_push_requests"}')} > 0.8`,
          for: "5m",
          severity: "critical",
          summary: "Distributor {{ $labels.pod }} is at {{ $value | humanizePercentage }} of its in-flight push limit.",
          description: "Mimir distributor {{ $labels.job }}/{{ $labels.pod }} has more than 80% of distributor.instance_limits.max_inflight_push_requests in flight; beyond it pushes are rejected.",
        },
      ],
    },
    {
      name: "mimir_rollout_alerts",
      rules: [
        rolloutStuck("statefulset", "warning", "30m"),
        rolloutStuck("statefulset", "critical", "6h"),
        rolloutStuck("deployment", "warning", "30m"),
        rolloutStuck("deployment", "critical", "6h"),
        {
          alert: "RolloutOperatorNotReconciling",
          expr: "max by (cluster, namespace, rollout_group) (time() - rollout_operator_last_successful_group_reconcile_timestamp_seconds) > 600",
          for: "5m",
          severity: "critical",
          summary: "The rollout-operator has not reconciled {{ $labels.rollout_group }} for 10 minutes.",
          description: "The rollout-operator in {{ $labels.cluster }}/{{ $labels.namespace }} has not successfully reconciled rollout group {{ $labels.rollout_group }} for more than 10 minutes: zone-by-zone updates are stalled.",
        },
      ],
    },
    {
      name: "mimir_provisioning_alerts",
      rules: (
        [
          ["warning", 0.65],
          ["critical", 0.8],
        ] as const
      ).map(([severity, threshold]) => ({
        alert: "MimirAllocatingTooMuchMemory",
        // RSS, not the working set: ingesters mmap heavily.
        expr:
          '(\n  container_memory_rss{container=~"ingester|mimir"}\n  /\n  (container_spec_memory_limit_bytes{container=~"ingester|mimir"} > 0)\n)\n' +
          `* on (cluster, namespace) group_left max by (cluster, namespace) (cortex_build_info)\n> ${threshold}`,
        for: "15m",
        severity,
        summary: "{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit.",
        description: `Mimir {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has used more than ${threshold * 100}% of its memory limit (RSS) for 15 minutes; it risks being OOM-killed.`,
      })),
    },
    {
      name: "mimir_ruler_alerts",
      rules: [
        {
          alert: "MimirRulerTooManyFailedPushes",
          expr:
            errorPercent('cortex_ruler_write_requests_failed_total{reason=~"(error|^$)"}', "cortex_ruler_write_requests_total", "cluster, namespace, pod") + " > 1",
          for: "5m",
          severity: "critical",
          summary: "Ruler {{ $labels.pod }} fails {{ printf \"%.2f\" $value }}% of its writes.",
          description: "Mimir ruler {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} fails more than 1% of the pushes of recording-rule results.",
        },
        {
          alert: "MimirRulerTooManyFailedQueries",
          expr: errorPercent('cortex_ruler_queries_failed_total{reason=~"(error|^$)"}', "cortex_ruler_queries_total", "cluster, namespace, pod") + " > 1",
          for: "5m",
          severity: "critical",
          summary: "Ruler {{ $labels.pod }} fails {{ printf \"%.2f\" $value }}% of its rule queries.",
          description: "Mimir ruler {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} fails more than 1% of rule evaluations (server-side errors).",
        },
        {
          alert: "MimirRulerMissedEvaluations",
          expr:
            errorPercent("cortex_prometheus_rule_group_iterations_missed_total", "cortex_prometheus_rule_group_iterations_total", "cluster, namespace, pod") + " > 5",
          for: "5m",
          severity: "warning",
          summary: "Ruler {{ $labels.pod }} misses {{ printf \"%.2f\" $value }}% of its rule group iterations.",
          description: "Mimir ruler {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} skips more than 5% of evaluations: groups take longer than their interval.",
        },
        {
          alert: "MimirRulerFailedRingCheck",
          expr: "sum by (cluster, namespace, job) (rate(cortex_ruler_ring_check_errors_total[4m])) > 0",
          for: "5m",
          severity: "critical",
          summary: "Rulers fail to check the ring for rule group ownership.",
          description: "Mimir rulers {{ $labels.job }} in {{ $labels.cluster }}/{{ $labels.namespace }} cannot read the ruler ring, so rule groups may be evaluated twice or not at all.",
        },
        {
          alert: "MimirRulerRemoteEvaluationFailing",
          // Only meaningful with remote rule evaluation (a ruler-query-frontend); kept so enabling it is covered.
          expr:
            errorPercent(
              `cortex_request_duration_seconds_count{status_code=~"5..", route="/httpgrpc.HTTP/Handle", ${mimirJob("ruler-query-frontend")}}`,
              `cortex_request_duration_seconds_count{route="/httpgrpc.HTTP/Handle", ${mimirJob("ruler-query-frontend")}}`,
              "cluster, namespace",
              "5m",
            ) + " > 1",
          for: "5m",
          severity: "warning",
          summary: "Rulers fail {{ printf \"%.2f\" $value }}% of remote evaluations.",
          description: "Mimir rulers in {{ $labels.cluster }}/{{ $labels.namespace }} fail more than 1% of the evaluations they send to the ruler-query-frontend.",
        },
      ],
    },
    {
      name: "mimir_gossip_alerts",
      rules: [
        {
          alert: "MimirGossipMembersTooHigh",
          expr: `max by (cluster, namespace) (memberlist_client_cluster_members_count)\n>\n(sum by (cluster, namespace) (up{${GOSSIP_MEMBERS}}) + 10)`,
          for: "20m",
          severity: "warning",
          summary: "Some Mimir instances see too many gossip members.",
          description: "At least one Mimir instance in {{ $labels.cluster }}/{{ $labels.namespace }} sees more than 10 memberlist members beyond the running gossip members: another cluster's gossip may have merged in.",
        },
        {
          alert: "MimirGossipMembersTooLow",
          expr: `min by (cluster, namespace) (memberlist_client_cluster_members_count)\n<\n(sum by (cluster, namespace) (up{${GOSSIP_MEMBERS}}) * 0.5)`,
          for: "20m",
          severity: "warning",
          summary: "Some Mimir instances see too few gossip members.",
          description: "At least one Mimir instance in {{ $labels.cluster }}/{{ $labels.namespace }} sees fewer than half of the running gossip members: the memberlist cluster is partitioned.",
        },
        {
          alert: "MimirGossipMembersEndpointsOutOfSync",
          expr:
            `(\n  count by (cluster, namespace) (\n    kube_endpoint_address{endpoint="${MIMIR_SERVICE_NAMES.gossipRing}"}\n    unless on (cluster, namespace, ip)\n    label_replace(kube_pod_info, "ip", "$1", "pod_ip", "(.*)")\n  )\n` +
            `  /\n  count by (cluster, namespace) (kube_endpoint_address{endpoint="${MIMIR_SERVICE_NAMES.gossipRing}"})\n  * 100 > 10\n)\n${BUILD_INFO_SCOPE}`,
          for: "15m",
          severity: "warning",
          summary: "The gossip-ring Service endpoints are out of sync.",
          description: "More than 10% of the addresses of the gossip-ring Service in {{ $labels.cluster }}/{{ $labels.namespace }} belong to no existing pod; joining members may contact dead peers.",
        },
      ],
    },
    {
      name: "mimir_golang_alerts",
      rules: [
        ...(
          [
            ["warning", 5000],
            ["critical", 8000],
          ] as const
        ).map(
          ([severity, threshold]): AlertingRule => ({
            alert: "MimirGoThreadsTooHigh",
            expr: `max by (cluster, namespace, pod) (go_threads > ${threshold} and on (cluster, namespace, pod) cortex_build_info)`,
            for: "15m",
            severity,
            summary: "{{ $labels.pod }} runs {{ $value }} Go threads.",
            description: `Mimir {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has run more than ${threshold} OS threads for 15 minutes (blocked syscalls, usually slow disk or storage).`,
          }),
        ),
        {
          alert: "MimirDistributorGcUsesTooMuchCpu",
          expr:
            '(\n  quantile by (cluster, namespace) (0.9,\n    sum by (cluster, namespace, pod) (rate(go_cpu_classes_gc_total_cpu_seconds_total{container="distributor"}[5m]))\n    /\n' +
            '    (\n      sum by (cluster, namespace, pod) (rate(go_cpu_classes_total_cpu_seconds_total{container="distributor"}[5m]))\n      -\n' +
            '      sum by (cluster, namespace, pod) (rate(go_cpu_classes_idle_cpu_seconds_total{container="distributor"}[5m]))\n    )\n  ) * 100\n) > 10',
          for: "10m",
          severity: "warning",
          summary: "Distributors spend {{ printf \"%.1f\" $value }}% of their CPU in GC.",
          description: "The 90th percentile distributor in {{ $labels.cluster }}/{{ $labels.namespace }} spends more than 10% of its busy CPU on garbage collection (memory limit or GOMEMLIMIT too tight).",
        },
      ],
    },
    {
      name: "mimir_alertmanager_alerts",
      rules: [
        rateAboveZero("MimirAlertmanagerSyncConfigsFailing", "cortex_alertmanager_sync_configs_failed_total", "5m", "30m", "Alertmanager {{ $labels.pod }} fails to read tenant configurations."),
        rateAboveZero("MimirAlertmanagerRingCheckFailing", "cortex_alertmanager_ring_check_errors_total", "4m", "10m", "Alertmanager {{ $labels.pod }} cannot check tenant ownership in the ring."),
        rateAboveZero("MimirAlertmanagerStateMergeFailing", "cortex_alertmanager_partial_state_merges_failed_total", "4m", "10m", "Alertmanager {{ $labels.pod }} fails to merge state from a replica."),
        rateAboveZero("MimirAlertmanagerReplicationFailing", "cortex_alertmanager_state_replication_failed_total", "4m", "10m", "Alertmanager {{ $labels.pod }} fails to replicate state to its replicas."),
        rateAboveZero("MimirAlertmanagerPersistStateFailing", "cortex_alertmanager_state_persist_failed_total", "15m", "1h", "Alertmanager {{ $labels.pod }} cannot persist its state to storage."),
        {
          alert: "MimirAlertmanagerInitialSyncFailed",
          expr: 'increase(cortex_alertmanager_state_initial_sync_completed_total{outcome="failed"}[4m]) > 0',
          severity: "warning",
          summary: "Alertmanager {{ $labels.pod }} started without its initial state.",
          description: "Mimir Alertmanager {{ $labels.job }}/{{ $labels.pod }} could not fetch silences and notification state from replicas or storage at start-up.",
        },
        ...(
          [
            ["warning", 0.8],
            ["critical", 0.9],
          ] as const
        ).map(
          ([severity, threshold]): AlertingRule => ({
            alert: "MimirAlertmanagerAllocatingTooMuchMemory",
            expr:
              `(container_memory_working_set_bytes{container=~"alertmanager|mimir"} / container_spec_memory_limit_bytes{container=~"alertmanager|mimir"}) > ${threshold}\n` +
              'and\n(container_spec_memory_limit_bytes{container=~"alertmanager|mimir"} > 0)',
            for: "15m",
            severity,
            summary: "Alertmanager {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit.",
            description: `Alertmanager {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has used more than ${threshold * 100}% of its memory limit for 15 minutes.`,
          }),
        ),
        {
          alert: "MimirAlertmanagerInstanceHasNoTenants",
          expr:
            'min by (cluster, namespace, pod) (cortex_alertmanager_tenants_owned{pod=~"(.*mimir-)?alertmanager.*"}) == 0\n' +
            "and on (cluster, namespace)\n(max by (cluster, namespace) (cortex_alertmanager_tenants_owned) > 0)",
          for: "1h",
          severity: "warning",
          summary: "Alertmanager {{ $labels.pod }} owns no tenants.",
          description: "Mimir Alertmanager {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has owned no tenant for an hour while other replicas do.",
        },
      ],
    },
    {
      name: "mimir_blocks_alerts",
      rules: [
        {
          alert: "MimirIngesterNotShippingBlocks",
          expr:
            "(min by (cluster, namespace, pod) (time() - cortex_ingester_shipper_last_successful_upload_timestamp_seconds) > 60 * 60 * 4)\n" +
            "and\n(max by (cluster, namespace, pod) (cortex_ingester_shipper_last_successful_upload_timestamp_seconds) > 0)\n" +
            "and\n(max by (cluster, namespace, pod) (max_over_time(cluster_namespace_pod:cortex_ingester_ingested_samples_total:rate4m[4h])) > 0)\n" +
            "and\n(max by (cluster, namespace, pod) (max_over_time(cluster_namespace_pod:cortex_ingester_ingested_samples_total:rate4m[1h] offset 4h)) > 0)",
          for: "15m",
          severity: "critical",
          summary: "Ingester {{ $labels.pod }} has shipped no block for 4 hours.",
          description: "Mimir ingester {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} kept ingesting but has not uploaded a block to the bucket for more than 4 hours; its disk and WAL grow.",
        },
        {
          alert: "MimirIngesterNotShippingBlocksSinceStart",
          expr:
            "(max by (cluster, namespace, pod) (cortex_ingester_shipper_last_successful_upload_timestamp_seconds) == 0)\n" +
            "and\n(max by (cluster, namespace, pod) (max_over_time(cluster_namespace_pod:cortex_ingester_ingested_samples_total:rate4m[4h])) > 0)",
          for: "4h",
          severity: "critical",
          summary: "Ingester {{ $labels.pod }} has shipped no block since it started.",
          description: "Mimir ingester {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has ingested samples for 4 hours without ever uploading a block.",
        },
        {
          alert: "MimirIngesterHasUnshippedBlocks",
          expr:
            "(time() - cortex_ingester_oldest_unshipped_block_timestamp_seconds > 3600)\nand\n(cortex_ingester_oldest_unshipped_block_timestamp_seconds > 0)",
          for: "15m",
          severity: "critical",
          summary: "Ingester {{ $labels.pod }} has a block compacted {{ $value | humanizeDuration }} ago but not uploaded.",
          description: "Mimir ingester {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} cut a block more than an hour ago that is still not in the bucket.",
        },
        tsdbFailure("MimirIngesterTSDBHeadCompactionFailed", "cortex_ingester_tsdb_compactions_failed_total", "compact its TSDB head", "critical", "15m"),
        tsdbFailure("MimirIngesterTSDBHeadTruncationFailed", "cortex_ingester_tsdb_head_truncations_failed_total", "truncate its TSDB head", "critical"),
        tsdbFailure("MimirIngesterTSDBCheckpointCreateFailed", "cortex_ingester_tsdb_checkpoint_creations_failed_total", "create a TSDB checkpoint", "critical"),
        tsdbFailure("MimirIngesterTSDBCheckpointDeleteFailed", "cortex_ingester_tsdb_checkpoint_deletions_failed_total", "delete a TSDB checkpoint", "critical"),
        tsdbFailure("MimirIngesterTSDBWALTruncationFailed", "cortex_ingester_tsdb_wal_truncations_failed_total", "truncate its TSDB WAL", "warning"),
        {
          alert: "MimirIngesterTSDBWALCorrupted",
          // One corrupted WAL costs one replica; two or more can lose samples held by both.
          expr: "count by (cluster, namespace) (rate(cortex_ingester_tsdb_wal_corruptions_total[5m]) > 0) > 1",
          severity: "critical",
          summary: "{{ $value }} ingesters found a corrupted TSDB WAL.",
          description: "More than one Mimir ingester in {{ $labels.cluster }}/{{ $labels.namespace }} replayed a corrupted WAL: samples held only by those replicas may be lost.",
        },
        tsdbFailure("MimirIngesterTSDBWALWritesFailed", "cortex_ingester_tsdb_wal_writes_failed_total", "write to its TSDB WAL", "critical", "12m", "4m"),
        {
          alert: "MimirStoreGatewayHasNotSyncTheBucket",
          expr:
            '(time() - cortex_bucket_stores_blocks_last_successful_sync_timestamp_seconds{component="store-gateway"} > 60 * 30)\n' +
            'and\ncortex_bucket_stores_blocks_last_successful_sync_timestamp_seconds{component="store-gateway"} > 0',
          for: "5m",
          severity: "critical",
          summary: "Store-gateway {{ $labels.pod }} last synced the bucket {{ $value | humanizeDuration }} ago.",
          description: "Mimir store-gateway {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has not synced the bucket for over 30 minutes: queries miss recent blocks.",
        },
        {
          alert: "MimirStoreGatewayNoSyncedTenants",
          expr: 'min by (cluster, namespace, pod) (cortex_bucket_stores_tenants_synced{component="store-gateway"}) == 0',
          for: "1h",
          severity: "warning",
          summary: "Store-gateway {{ $labels.pod }} syncs no tenant.",
          description: "Mimir store-gateway {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has owned no tenant's blocks for an hour.",
        },
        {
          alert: "MimirBucketIndexNotUpdated",
          expr: "min by (cluster, namespace, user) (time() - max_over_time(cortex_bucket_index_last_successful_update_timestamp_seconds[15m])) > 2100",
          for: "2m",
          severity: "critical",
          summary: "The bucket index of tenant {{ $labels.user }} is {{ $value | humanizeDuration }} old.",
          description: "The compactor in {{ $labels.cluster }}/{{ $labels.namespace }} has not updated tenant {{ $labels.user }}'s bucket index for 35 minutes; queries fail once it is older than the max stale period (1h).",
        },
      ],
    },
    {
      name: "mimir_compactor_alerts",
      rules: [
        {
          alert: "MimirCompactorNotCleaningUpBlocks",
          expr: "time() - cortex_compactor_block_cleanup_last_successful_run_timestamp_seconds > 60 * 60 * 6",
          for: "1h",
          severity: "critical",
          summary: "Compactor {{ $labels.pod }} has not cleaned up blocks for 6 hours.",
          description: "Mimir compactor {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has not completed a block clean-up (retention, deletion marks, bucket index) for 6 hours.",
        },
        ...(
          [
            ["warning", 6, "in-last-6h"],
            ["critical", 24, "in-last-24h"],
          ] as const
        ).map(
          ([severity, hours, reason]): AlertingRule => ({
            alert: "MimirCompactorNotRunningCompaction",
            expr:
              `(time() - max by (cluster, namespace, pod) (cortex_compactor_last_successful_run_timestamp_seconds) > 60 * 60 * ${hours})\n` +
              "and\n(max by (cluster, namespace, pod) (cortex_compactor_last_successful_run_timestamp_seconds) > 0)",
            for: "15m",
            severity,
            labels: { reason },
            summary: `Compactor {{ $labels.pod }} has not compacted for ${hours} hours.`,
            description: `Mimir compactor {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has not completed a compaction run for ${hours} hours.`,
          }),
        ),
        {
          alert: "MimirCompactorNotRunningCompaction",
          expr: 'sum by (cluster, namespace, pod) (increase(cortex_compactor_runs_failed_total{reason!="shutdown"}[2h])) >= 2',
          severity: "critical",
          labels: { reason: "consecutive-failures" },
          summary: "Compactor {{ $labels.pod }} failed consecutive compactions.",
          description: "Mimir compactor {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} failed at least 2 compaction runs in the last 2 hours.",
        },
        {
          alert: "MimirCompactorHasRunOutOfDiskSpace",
          expr: "increase(cortex_compactor_disk_out_of_space_errors_total[24h]) >= 1",
          severity: "critical",
          labels: { reason: "non-transient" },
          summary: "Compactor {{ $labels.pod }} ran out of disk space.",
          description: "Mimir compactor {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} hit a full disk in the last 24 hours: compaction of the largest jobs cannot finish.",
        },
        {
          alert: "MimirCompactorHasNotUploadedBlocks",
          expr:
            '(time() - max by (cluster, namespace, pod) (thanos_objstore_bucket_last_successful_upload_time{component="compactor"}) > 60 * 60 * 24)\n' +
            'and\n(max by (cluster, namespace, pod) (thanos_objstore_bucket_last_successful_upload_time{component="compactor"}) > 0)\n' +
            "and\n(sum by (cluster, namespace, pod) (rate(cortex_compactor_group_compaction_runs_started_total[24h])) > 0)",
          for: "15m",
          severity: "critical",
          labels: { time_period: "24h" },
          summary: "Compactor {{ $labels.pod }} has uploaded no block for 24 hours.",
          description: "Mimir compactor {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} started compactions but has not uploaded a block in 24 hours.",
        },
        {
          alert: "MimirCompactorSkippedBlocks",
          expr: "sum by (cluster, namespace, reason) (increase(cortex_compactor_blocks_marked_for_no_compaction_total[24h]) > 0)",
          for: "5m",
          severity: "critical",
          summary: "The compactor marked {{ $value }} blocks for no-compaction ({{ $labels.reason }}).",
          description: "Mimir compactor in {{ $labels.cluster }}/{{ $labels.namespace }} marked blocks it cannot compact (reason {{ $labels.reason }}); they stay uncompacted and slow queries down.",
        },
        {
          alert: "MimirCompactorBuildingSparseIndexFailed",
          expr: "sum by (cluster, namespace, pod) (increase(cortex_compactor_build_sparse_headers_failures_total[5m])) > 0",
          for: "30m",
          severity: "warning",
          summary: "Compactor {{ $labels.pod }} fails to build sparse index headers.",
          description: "Mimir compactor {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has failed to build sparse index headers for 30 minutes; store-gateways then build them on load.",
        },
        ...(
          [
            ["warning", "4h", 2],
            ["critical", "2h", 5],
          ] as const
        ).map(
          ([severity, window, restarts]): AlertingRule => ({
            alert: "MimirCompactorOOMKilled",
            expr:
              `(sum by (cluster, namespace, pod) (increase(kube_pod_container_status_restarts_total{container="compactor"}[${window}])) > ${restarts})\n` +
              'and on (cluster, namespace, pod)\n(kube_pod_container_status_last_terminated_reason{container="compactor", reason="OOMKilled"} > 0)',
            for: "15m",
            severity,
            summary: `Compactor {{ $labels.pod }} was OOM-killed {{ printf "%.0f" $value }} times in ${window}.`,
            description: `Mimir compactor {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} restarted more than ${restarts} times in ${window}, last time OOM-killed.`,
          }),
        ),
      ],
    },
  ];
}
