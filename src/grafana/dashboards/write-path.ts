import { Board, job, sel, WRITE_ROUTES, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** Distributors and ingesters: request rate and latency, samples, discards, series against limits. */
export function writePath(env: DashboardEnv): BuiltDashboard {
  return new Board(env, {
    uid: "platform-write-path",
    title: "Platform / Write path",
    description: "Distributors and ingesters: what arrives, how fast it is accepted, what is discarded and why.",
    folder: "Platform",
    tags: ["write-path", "mimir"],
    variables: ["cluster", "namespace"],
  })
    .row("Distributor")
    .timeseries({
      title: "Write requests by status",
      description: "Push and OTLP requests per second reaching the distributors, by HTTP status (429: tenant rate limit, 529: ingestion rate limit).",
      unit: "reqps",
      queries: [
        {
          expr: `sum by (status_code) (rate(cortex_request_duration_seconds_count${sel(job("distributor"), WRITE_ROUTES)}[$__rate_interval]))`,
          legend: "{{status_code}}",
        },
      ],
      runbook: "MimirRequestErrors",
      stack: true,
    })
    .timeseries({
      title: "Write latency p99 by route",
      description: "99th percentile latency of write requests at the distributors (recording rule, 1m window).",
      unit: "s",
      queries: [
        {
          expr: `max by (route) (cluster_namespace_job_route:cortex_request_duration_seconds:99quantile${sel(job("distributor"), WRITE_ROUTES)})`,
          legend: "{{route}}",
        },
      ],
      objective: { value: 2.5, below: "good" },
      runbook: "MimirRequestLatency",
    })
    .timeseries({
      title: "Samples received per distributor",
      description: "Samples per second each distributor pod receives; uneven values point at client-side load balancing.",
      unit: "short",
      queries: [{ expr: `cluster_namespace_pod:cortex_distributor_received_samples:rate5m${sel()}`, legend: "{{pod}}" }],
      runbook: "MimirRequestErrors",
    })
    .timeseries({
      title: "Discarded samples by reason",
      description: "Samples rejected per second, by reason (rate limits, series limits, out-of-order, invalid labels).",
      unit: "short",
      queries: [
        { expr: `sum by (reason) (rate(cortex_discarded_samples_total${sel()}[$__rate_interval]))`, legend: "{{reason}}" },
      ],
      runbook: "MimirTenantSamplesDiscarded",
      stack: true,
    })
    .timeseries({
      title: "In-flight push requests",
      description: "Push requests each distributor is handling right now, against its instance limit.",
      unit: "short",
      queries: [
        { expr: `sum by (pod) (cortex_distributor_inflight_push_requests${sel(job("distributor"))})`, legend: "{{pod}}" },
        {
          expr: `max(cortex_distributor_instance_limits${sel(job("distributor"), 'limit="max_inflight_push_requests"')}) > 0`,
          legend: "limit",
        },
      ],
      runbook: "MimirDistributorInflightRequestsHigh",
      width: 24,
    })
    .row("Ingester")
    .timeseries({
      title: "In-memory series per ingester",
      description: "Series each ingester holds (replicated), against the per-ingester max_series limit.",
      unit: "short",
      queries: [
        { expr: `sum by (pod) (cortex_ingester_memory_series${sel(job("ingester"))})`, legend: "{{pod}}" },
        { expr: `max(cortex_ingester_instance_limits${sel(job("ingester"), 'limit="max_series"')}) > 0`, legend: "limit" },
      ],
      runbook: "MimirIngesterReachingSeriesLimit",
    })
    .timeseries({
      title: "Samples ingested per ingester",
      description: "Samples per second appended to each ingester's TSDB head.",
      unit: "short",
      queries: [{ expr: `cluster_namespace_pod:cortex_ingester_ingested_samples_total:rate4m${sel()}`, legend: "{{pod}}" }],
      runbook: "MimirIngesterUnhealthy",
    })
    .timeseries({
      title: "Ingester push latency p99",
      description: "99th percentile latency of the ingesters' gRPC Push (recording rule, 1m window).",
      unit: "s",
      queries: [
        {
          expr: `max by (route) (cluster_namespace_job_route:cortex_request_duration_seconds:99quantile${sel(job("ingester"), 'route="/cortex.Ingester/Push"')})`,
          legend: "{{route}}",
        },
      ],
      runbook: "MimirRequestLatency",
    })
    .timeseries({
      title: "Time since last block upload",
      description: "Seconds since each ingester last shipped a block to object storage; should stay below ~2h.",
      unit: "s",
      queries: [
        {
          expr: `time() - max by (pod) (cortex_ingester_shipper_last_successful_upload_timestamp_seconds${sel(job("ingester"))} > 0)`,
          legend: "{{pod}}",
        },
      ],
      objective: { value: 4 * 3600, below: "good" },
      runbook: "MimirIngesterNotShippingBlocks",
    })
    .build();
}
