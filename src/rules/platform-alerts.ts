/**
 * Alerts on the platform around Mimir (write clients, probes, Kubernetes basics), the cache SLOs,
 * and the always-firing Watchdog behind the dead-man's switch.
 *
 * The tenancy gateway (nginx) exposes no Prometheus metrics yet (only JSON access logs), so 429/5xx
 * answers are alerted on where they are measured: at the writing Prometheus (retried and failed
 * samples) and in Mimir (samples discarded per tenant and reason).
 */
import type { AlertGroup, AlertingRule, AlertSettings } from "./types.js";

function cacheSlo(alert: string, ratio: string, objective: number, cache: string, what: string): AlertingRule {
  return {
    alert,
    expr: `${ratio} < ${objective}`,
    for: "30m",
    severity: "warning",
    labels: { cache },
    summary: `The ${what} hit ratio is {{ $value | humanizePercentage }}, below its ${objective * 100}% objective.`,
    description: `The ${what} hit ratio in {{ $labels.cluster }}/{{ $labels.namespace }} has stayed below ${objective * 100}% (caches.${cache}.hitRatioObjective) for 30 minutes: more load reaches queriers and the bucket.`,
  };
}

export function cacheAlertGroup(settings: AlertSettings): AlertGroup {
  const { results, index, chunks } = settings.cacheObjectives;
  const rules: AlertingRule[] = [];
  if (results !== undefined) rules.push(cacheSlo("QueryFrontendCacheHitRateLow", "cache:query_frontend_result:hit_ratio", results, "results", "query-frontend results cache"));
  if (index !== undefined) rules.push(cacheSlo("StoreGatewayCacheHitRateLow", "cache:store_gateway_index:hit_ratio", index, "index", "store-gateway index cache"));
  if (chunks !== undefined) rules.push(cacheSlo("StoreGatewayCacheHitRateLow", "cache:store_gateway_chunks:hit_ratio", chunks, "chunks", "store-gateway chunks cache"));
  return { name: "cache_slo_alerts", rules };
}

export function platformAlertGroups(settings: AlertSettings): AlertGroup[] {
  return [
    {
      name: "write_path_alerts",
      rules: [
        {
          alert: "PrometheusRemoteWriteFailing",
          expr:
            "100 * (\n  sum by (cluster, namespace, pod, url) (rate(prometheus_remote_storage_samples_failed_total[5m]))\n  /\n" +
            "  (\n    sum by (cluster, namespace, pod, url) (rate(prometheus_remote_storage_samples_failed_total[5m]))\n    +\n" +
            "    sum by (cluster, namespace, pod, url) (rate(prometheus_remote_storage_samples_total[5m]))\n  )\n) > 1",
          for: "15m",
          severity: "critical",
          summary: "Prometheus {{ $labels.pod }} drops {{ printf \"%.1f\" $value }}% of samples sent to {{ $labels.url }}.",
          description: "Prometheus {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} gets non-retryable errors (4xx other than 429) for more than 1% of the samples it sends; those samples are lost.",
        },
        {
          alert: "PrometheusRemoteWriteBehind",
          expr:
            "(\n  max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds[5m])\n  - ignoring (remote_name, url) group_right\n" +
            "  max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds[5m])\n) > 120",
          for: "15m",
          severity: "critical",
          summary: "Prometheus {{ $labels.pod }} remote write is {{ printf \"%.0f\" $value }}s behind.",
          description: "Prometheus {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has been more than 2 minutes behind in sending samples to {{ $labels.url }}: dashboards and alerts lag, and the WAL may be cut before they are sent.",
        },
        {
          alert: "GatewayWritesRetried",
          expr:
            "100 * (\n  sum by (cluster, namespace, pod, url) (rate(prometheus_remote_storage_samples_retried_total[5m]))\n  /\n" +
            "  sum by (cluster, namespace, pod, url) (rate(prometheus_remote_storage_samples_total[5m]))\n) > 5",
          for: "15m",
          severity: "warning",
          summary: "{{ printf \"%.1f\" $value }}% of Prometheus {{ $labels.pod }}'s samples are answered 429 or 5xx.",
          description: "The write path ({{ $labels.url }}: gateway, then Mimir) answers 429 or 5xx to more than 5% of the samples Prometheus {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} sends; they are retried.",
        },
        {
          alert: "GatewayTenantRateLimited",
          // From the gateway's per-request metrics (mtail sidecar): 429s nginx answers itself.
          expr:
            '100 * (\n  sum by (cluster, namespace, tenant, limited_by) (rate(gateway_requests_total{status="429"}[5m]))\n  /\n' +
            "  ignoring (limited_by) group_left sum by (cluster, namespace, tenant) (rate(gateway_requests_total[5m]))\n) > 5",
          for: "15m",
          severity: "warning",
          summary: "The gateway rejects {{ printf \"%.0f\" $value }}% of tenant {{ $labels.tenant }}'s requests ({{ $labels.limited_by }}).",
          description: "For 15 minutes the gateway in {{ $labels.cluster }}/{{ $labels.namespace }} has answered 429 to more than 5% of tenant {{ $labels.tenant }}'s requests because of its {{ $labels.limited_by }} limit.",
        },
        {
          alert: "GatewayRequestErrors",
          expr:
            '100 * (\n  sum by (cluster, namespace) (rate(gateway_requests_total{status=~"5.."}[5m]))\n  /\n' +
            "  sum by (cluster, namespace) (rate(gateway_requests_total[5m]))\n) > 5",
          for: "15m",
          severity: "critical",
          summary: "{{ printf \"%.1f\" $value }}% of the gateway's requests fail with 5xx.",
          description: "For 15 minutes more than 5% of the requests through the gateway in {{ $labels.cluster }}/{{ $labels.namespace }} have ended in 5xx: Mimir behind it is failing or unreachable (502/504), or the gateway itself is.",
        },
        {
          alert: "GatewayNginxDown",
          // The exporter sidecar reports nginx_up 0 when nginx stops answering its stub_status page.
          expr: 'max by (cluster, namespace, pod) (nginx_up{job=~".+/gateway"}) == 0',
          for: "5m",
          severity: "warning",
          summary: "nginx in gateway pod {{ $labels.pod }} is not answering.",
          description: "The metrics exporter of gateway pod {{ $labels.pod }} in {{ $labels.cluster }}/{{ $labels.namespace }} has not reached nginx for 5 minutes: that pod serves no requests while the others carry its share.",
        },
        {
          alert: "MimirTenantSamplesDiscarded",
          expr: "sum by (cluster, namespace, user, reason) (rate(cortex_discarded_samples_total[5m])) > 0",
          for: "15m",
          severity: "warning",
          summary: "Mimir discards samples of tenant {{ $labels.user }} ({{ $labels.reason }}).",
          description: "Mimir in {{ $labels.cluster }}/{{ $labels.namespace }} has rejected {{ printf \"%.0f\" $value }} samples/s of tenant {{ $labels.user }} for 15 minutes, reason {{ $labels.reason }} (rate or series limit, out-of-order, too old, ...).",
        },
      ],
    },
    {
      name: "collection_alerts",
      rules: [
        {
          alert: "PrometheusShardDown",
          // Prometheus Operator names the StatefulSets prometheus-<name>[-shard-N] and prom-agent-<name>[-shard-N].
          expr: 'kube_statefulset_status_replicas_ready{statefulset=~"prometheus-.*|prom-agent-.*"}\n< kube_statefulset_replicas{statefulset=~"prometheus-.*|prom-agent-.*"}',
          for: "10m",
          severity: "critical",
          summary: "Prometheus StatefulSet {{ $labels.statefulset }} has unready replicas.",
          description: "Prometheus StatefulSet {{ $labels.statefulset }} in {{ $labels.cluster }}/{{ $labels.namespace }} has had fewer ready replicas than desired for 10 minutes: its shard's targets are not scraped.",
        },
        {
          alert: "BlackboxProbeFailed",
          expr: "probe_success == 0",
          for: "5m",
          severity: "critical",
          summary: "Probe {{ $labels.instance }} is failing.",
          description: "The blackbox probe of {{ $labels.instance }} (job {{ $labels.job }}) in {{ $labels.cluster }} has failed for 5 minutes.",
        },
        ...(
          [
            ["warning", 14],
            ["critical", 3],
          ] as const
        ).map(
          ([severity, days]): AlertingRule => ({
            alert: "BlackboxSslCertificateWillExpireSoon",
            expr: `probe_ssl_earliest_cert_expiry - time() < 86400 * ${days}`,
            severity,
            summary: `The TLS certificate of {{ $labels.instance }} expires in less than ${days} days.`,
            description: `The TLS certificate served by {{ $labels.instance }} expires in {{ $value | humanizeDuration }} (less than ${days} days); cert-manager should have renewed it.`,
          }),
        ),
      ],
    },
    {
      name: "kubernetes_alerts",
      rules: [
        {
          alert: "KubeNodeNotReady",
          expr: 'kube_node_status_condition{condition="Ready", status="true"} == 0',
          for: "15m",
          severity: "warning",
          summary: "Node {{ $labels.node }} is not ready.",
          description: "Kubernetes node {{ $labels.node }} in {{ $labels.cluster }} has not been Ready for 15 minutes.",
        },
        {
          alert: "NodeFilesystemAlmostFull",
          expr:
            '(\n  node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"} < 0.10\n)\n' +
            'and\nnode_filesystem_readonly{fstype!~"tmpfs|overlay|squashfs"} == 0',
          for: "30m",
          severity: "warning",
          summary: "Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} left.",
          description: "Filesystem {{ $labels.device }} mounted at {{ $labels.mountpoint }} on node {{ $labels.instance }} in {{ $labels.cluster }} has had less than 10% free space for 30 minutes.",
        },
        {
          alert: "KubePodCrashLooping",
          expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
          for: "15m",
          severity: "warning",
          summary: "Container {{ $labels.container }} of pod {{ $labels.pod }} is crash-looping.",
          description: "Container {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) in {{ $labels.cluster }} has been in CrashLoopBackOff for 15 minutes.",
        },
        ...(
          [
            ["warning", 0.15, "15m"],
            ["critical", 0.05, "5m"],
          ] as const
        ).map(
          ([severity, free, duration]): AlertingRule => ({
            alert: "KubePersistentVolumeFillingUp",
            expr: `kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < ${free}`,
            for: duration,
            severity,
            summary: "Volume {{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free.",
            description: `PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} in {{ $labels.cluster }} has had less than ${free * 100}% free space for ${duration}.`,
          }),
        ),
        {
          alert: "KubeHpaMaxedOut",
          expr: "kube_horizontalpodautoscaler_status_current_replicas == kube_horizontalpodautoscaler_spec_max_replicas",
          for: "15m",
          severity: "warning",
          summary: "HPA {{ $labels.horizontalpodautoscaler }} has run at its maximum for 15 minutes.",
          description: "HorizontalPodAutoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} in {{ $labels.cluster }} has been at maxReplicas for 15 minutes: it cannot add capacity any more.",
        },
      ],
    },
    {
      name: "meta_alerts",
      rules: [
        {
          alert: "Watchdog",
          expr: "vector(1)",
          severity: "info",
          labels: { cluster: settings.clusterLabel },
          summary: "Always firing: proves the whole alerting pipeline works.",
          description: "This alert always fires. Alertmanager sends it only to the dead-man's-switch webhook, which pages when it stops arriving: then the ruler, the Alertmanager or the path between them is broken.",
        },
      ],
    },
  ];
}
