import { Board, job, READ_ROUTES, sel, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** Query-frontend, scheduler, queriers and store-gateways. */
export function readPath(env: DashboardEnv): BuiltDashboard {
  return new Board(env, {
    uid: "platform-read-path",
    title: "Platform / Read path",
    description: "Query-frontend, query-scheduler, queriers and store-gateways: load, latency and queueing.",
    folder: "Platform",
    tags: ["read-path", "mimir"],
    variables: ["cluster", "namespace"],
  })
    .row("Query-frontend")
    .timeseries({
      title: "Query requests by status",
      description: "Prometheus API requests per second at the query-frontends, by HTTP status.",
      unit: "reqps",
      queries: [
        {
          expr: `sum by (status_code) (rate(cortex_request_duration_seconds_count${sel(job("query-frontend"), READ_ROUTES)}[$__rate_interval]))`,
          legend: "{{status_code}}",
        },
      ],
      runbook: "MimirRequestErrors",
      stack: true,
    })
    .timeseries({
      title: "Query latency p99 by route",
      description: "99th percentile latency per Prometheus API route at the query-frontends (recording rule, 1m window).",
      unit: "s",
      queries: [
        {
          expr: `max by (route) (cluster_namespace_job_route:cortex_request_duration_seconds:99quantile${sel(job("query-frontend"), READ_ROUTES)})`,
          legend: "{{route}}",
        },
      ],
      objective: { value: 2.5, below: "good" },
      runbook: "MimirRequestLatency",
    })
    .timeseries({
      title: "Retries",
      description: "Queries the query-frontend retried per second (a retried query hit a failing querier).",
      unit: "reqps",
      queries: [{ expr: `sum(rate(cortex_query_frontend_retries_total${sel(job("query-frontend"))}[$__rate_interval]))`, legend: "retries" }],
      runbook: "MimirRequestErrors",
    })
    .row("Scheduler and queriers")
    .timeseries({
      title: "Queue length",
      description: "Queries waiting in the query-scheduler queues; a queue that stays above 0 means queriers are saturated.",
      unit: "short",
      queries: [{ expr: `cluster_namespace:cortex_query_scheduler_queue_length:sum${sel()}`, legend: "queued" }],
      runbook: "MimirSchedulerQueriesStuck",
    })
    .timeseries({
      title: "Queue wait p99",
      description: "99th percentile of the time queries wait in the queue before a querier picks them up.",
      unit: "s",
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(cortex_query_frontend_queue_duration_seconds_bucket${sel(job("query-frontend", "query-scheduler"))}[$__rate_interval])))`,
          legend: "p99",
        },
      ],
      runbook: "MimirSchedulerQueriesStuck",
    })
    .timeseries({
      title: "Querier utilisation",
      description: "Share of the queriers' query workers busy; the querier autoscaler targets this signal.",
      unit: "percentunit",
      queries: [{ expr: `cluster_namespace:cortex_querier_utilisation:ratio${sel()}`, legend: "utilisation" }],
      objective: { value: 0.75, below: "good" },
      runbook: "KubeHpaMaxedOut",
      min: 0,
    })
    .timeseries({
      title: "Querier request latency p99",
      description: "99th percentile latency of the queriers' own request handling.",
      unit: "s",
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(cortex_querier_request_duration_seconds_bucket${sel(job("querier"))}[$__rate_interval])))`,
          legend: "p99",
        },
      ],
      runbook: "MimirRequestLatency",
    })
    .row("Store-gateway")
    .timeseries({
      title: "Store-gateway latency p99",
      description: "99th percentile latency of store-gateway gRPC requests (series, label names, label values).",
      unit: "s",
      queries: [
        {
          expr: `max by (route) (cluster_namespace_job_route:cortex_request_duration_seconds:99quantile${sel(job("store-gateway"), 'route=~"/gatewaypb.StoreGateway/.*"')})`,
          legend: "{{route}}",
        },
      ],
      runbook: "MimirRequestLatency",
    })
    .timeseries({
      title: "Time since last bucket sync",
      description: "Seconds since each store-gateway last synced the blocks in the bucket.",
      unit: "s",
      queries: [
        {
          expr: `time() - max by (pod) (cortex_bucket_stores_blocks_last_successful_sync_timestamp_seconds${sel(job("store-gateway"))} > 0)`,
          legend: "{{pod}}",
        },
      ],
      runbook: "MimirStoreGatewayHasNotSyncTheBucket",
    })
    .build();
}
