import { Board, job, READ_ROUTES, sel, WRITE_ROUTES, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** Gateway pods (nginx) and what Mimir answers behind them. */
const GATEWAY_PODS = sel('pod=~"gateway-.*"', 'container="nginx"');

export function gateway(env: DashboardEnv): BuiltDashboard {
  const board = new Board(env, {
    uid: "platform-gateway",
    title: "Platform / Gateway",
    description:
      "The nginx tenancy gateway: nginx's own request and connection counters, replicas, resources and restarts, plus the status codes Mimir returns behind it. Rejections nginx answers itself (401 unknown token, 429 per-tenant or per-IP limit) come from the gateway's per-request metrics (mtail sidecar), per tenant and limit.",
    folder: "Platform",
    tags: ["gateway", "tenancy"],
    variables: ["cluster", "namespace", "tenant"],
  });
  board
    .row("Traffic behind the gateway")
    .timeseries({
      title: "Reads by status",
      description: "Prometheus API requests per second that the gateway passed to the query-frontend, by status code (429: Mimir's per-tenant limits).",
      unit: "reqps",
      queries: [
        {
          expr: `sum by (status_code) (rate(cortex_request_duration_seconds_count${sel(job("query-frontend"), READ_ROUTES)}[$__rate_interval]))`,
          legend: "{{status_code}}",
        },
      ],
      runbook: "MimirTenantSamplesDiscarded",
      stack: true,
    });
  if (env.writePath) {
    board
      .timeseries({
        title: "Writes by status",
        description: "Push/OTLP requests per second that the gateway passed to the distributors, by status code (429/529: Mimir's rate limits).",
        unit: "reqps",
        queries: [
          {
            expr: `sum by (status_code) (rate(cortex_request_duration_seconds_count${sel(job("distributor"), WRITE_ROUTES)}[$__rate_interval]))`,
            legend: "{{status_code}}",
          },
        ],
        runbook: "MimirTenantSamplesDiscarded",
        stack: true,
      })
      .timeseries({
        title: "Rate-limited samples per tenant",
        description: "Samples per second Mimir rejected for each tenant because of its ingestion rate limit.",
        unit: "short",
        queries: [
          {
            expr: `sum by (user, reason) (rate(cortex_discarded_samples_total${sel('reason=~"rate_limited|per_user_series_limit|per_metric_series_limit"')}[$__rate_interval]))`,
            legend: "{{user}} {{reason}}",
          },
        ],
        runbook: "MimirTenantSamplesDiscarded",
        width: 24,
      });
  }
  return board
    .row("Per tenant (gateway's own answers)")
    .timeseries({
      title: "Rejected requests per tenant and limit",
      description: "Requests per second the gateway itself answered 401 (unknown or missing token) or 429 (the limit named), per tenant. From the gateway's per-request metrics (mtail sidecar).",
      unit: "reqps",
      queries: [
        {
          expr: `sum by (tenant, status, limited_by) (rate(gateway_requests_total${sel(job("gateway"), 'status=~"401|429"', 'tenant=~"$tenant|"')}[$__rate_interval]))`,
          legend: "{{tenant}} {{status}} {{limited_by}}",
        },
      ],
      runbook: "GatewayTenantRateLimited",
      width: 12,
    })
    .timeseries({
      title: "Requests per tenant by status",
      description: "Requests per second through the gateway per tenant and status code.",
      unit: "reqps",
      queries: [
        {
          expr: `sum by (tenant, status) (rate(gateway_requests_total${sel(job("gateway"), 'tenant=~"$tenant"')}[$__rate_interval]))`,
          legend: "{{tenant}} {{status}}",
        },
      ],
      runbook: "GatewayRequestErrors",
      width: 12,
    })
    .row("nginx (exporter sidecar)")
    .timeseries({
      title: "Requests per pod",
      description: "Requests per second each gateway pod's nginx handled, every status included (rejections by token or limit too).",
      unit: "reqps",
      queries: [{ expr: `sum by (pod) (rate(nginx_http_requests_total${sel(job("gateway"))}[$__rate_interval]))`, legend: "{{pod}}" }],
      runbook: "GatewayNginxDown",
      width: 8,
    })
    .timeseries({
      title: "Active connections per pod",
      description: "Open client connections per gateway pod (reading, writing and idle keep-alive).",
      unit: "short",
      queries: [{ expr: `sum by (pod) (nginx_connections_active${sel(job("gateway"))})`, legend: "{{pod}}" }],
      runbook: "GatewayNginxDown",
      width: 8,
    })
    .timeseries({
      title: "nginx up",
      description: "1 when the exporter reaches nginx in that pod.",
      unit: "short",
      queries: [{ expr: `min by (pod) (nginx_up${sel(job("gateway"))})`, legend: "{{pod}}" }],
      runbook: "GatewayNginxDown",
      width: 8,
    })
    .row("Gateway pods")
    .timeseries({
      title: "Replicas",
      description: "Gateway replicas the autoscaler runs, against its maximum.",
      unit: "short",
      queries: [
        { expr: `max(kube_horizontalpodautoscaler_status_current_replicas${sel('horizontalpodautoscaler="gateway"')})`, legend: "current" },
        { expr: `max(kube_horizontalpodautoscaler_spec_max_replicas${sel('horizontalpodautoscaler="gateway"')})`, legend: "max" },
      ],
      runbook: "KubeHpaMaxedOut",
      width: 8,
    })
    .timeseries({
      title: "CPU",
      description: "CPU cores used by each gateway pod's nginx.",
      unit: "short",
      queries: [{ expr: `sum by (pod) (rate(container_cpu_usage_seconds_total${GATEWAY_PODS}[$__rate_interval]))`, legend: "{{pod}}" }],
      runbook: "KubeHpaMaxedOut",
      width: 8,
    })
    .timeseries({
      title: "Memory",
      description: "Working-set memory of each gateway pod's nginx.",
      unit: "bytes",
      queries: [{ expr: `sum by (pod) (container_memory_working_set_bytes${GATEWAY_PODS})`, legend: "{{pod}}" }],
      runbook: "KubeHpaMaxedOut",
      width: 8,
    })
    .timeseries({
      title: "Restarts",
      description: "Container restarts of the gateway in the last hour.",
      unit: "short",
      queries: [{ expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total${GATEWAY_PODS}[1h]))`, legend: "{{pod}}" }],
      runbook: "KubePodCrashLooping",
      width: 24,
    })
    .build();
}
