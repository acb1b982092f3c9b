import { Board, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** Selector of the billing recording rules for the chosen tenants. */
const TENANTS = '{cluster=~"$cluster", namespace=~"$namespace", user=~"$tenant"}';

/** Per-tenant usage from the billing recording rules: what each tenant stores, sends and queries. */
export function tenantsAndBilling(env: DashboardEnv): BuiltDashboard {
  const board = new Board(env, {
    uid: "tenants-billing",
    title: "Tenants / Usage and billing",
    description: "Per-tenant active series, samples per second and query seconds, from the billing recording rules.",
    folder: "Tenants",
    tags: ["tenants", "billing"],
    variables: ["cluster", "namespace", "tenant"],
  });
  board
    .row("Usage in the selected time range")
    .table({
      title: "Usage per tenant",
      description: "Average active series, samples ingested and query seconds used per tenant over the dashboard's time range.",
      unit: "short",
      queries: [
        { expr: `sum by (user) (avg_over_time(cluster_namespace_user:cortex_ingester_active_series:sum_dedup${TENANTS}[$__range]))`, legend: "active series" },
        { expr: `sum by (user) (avg_over_time(cluster_namespace_user:cortex_distributor_received_samples:rate1h${TENANTS}[$__range])) * $__range_s`, legend: "samples ingested" },
        { expr: `sum by (user) (avg_over_time(cluster_namespace_user:cortex_query_seconds:rate1h${TENANTS}[$__range])) * $__range_s`, legend: "query seconds" },
      ],
      runbook: "tenant-usage",
    })
    .row("Over time")
    .timeseries({
      title: "Active series",
      description: "In-memory series per tenant, de-replicated.",
      unit: "short",
      queries: [{ expr: `sum by (user) (cluster_namespace_user:cortex_ingester_active_series:sum_dedup${TENANTS})`, legend: "{{user}}" }],
      runbook: "MimirTenantSamplesDiscarded",
    })
    .timeseries({
      title: "Active series against the limit",
      description: "Each tenant's active series as a share of its max_global_series_per_user limit.",
      unit: "percentunit",
      queries: [
        {
          expr:
            `sum by (user) (cluster_namespace_user:cortex_ingester_active_series:sum_dedup${TENANTS})` +
            ` / on (user) max by (user) (cortex_limits_overrides{cluster=~"$cluster", namespace=~"$namespace", user=~"$tenant", limit_name="max_global_series_per_user"})`,
          legend: "{{user}}",
        },
      ],
      objective: { value: 0.8, below: "good" },
      runbook: "MimirTenantSamplesDiscarded",
      min: 0,
    })
    .timeseries({
      title: "Samples per second",
      description: "Samples per second each tenant sends (5m rate).",
      unit: "short",
      queries: [{ expr: `sum by (user) (cluster_namespace_user:cortex_distributor_received_samples:rate5m${TENANTS})`, legend: "{{user}}" }],
      runbook: "MimirTenantSamplesDiscarded",
    })
    .timeseries({
      title: "Query seconds per second",
      description: "Seconds of query wall time each tenant's queries use per second (query-frontend query stats).",
      unit: "s",
      queries: [{ expr: `sum by (user) (cluster_namespace_user:cortex_query_seconds:rate5m${TENANTS})`, legend: "{{user}}" }],
      runbook: "tenant-usage",
    });
  if (env.writePath) {
    board.timeseries({
      title: "Discarded samples by tenant and reason",
      description: "Samples rejected per second for each tenant, by reason (rate limit, series limit, invalid data).",
      unit: "short",
      queries: [
        {
          expr: `sum by (user, reason) (rate(cortex_discarded_samples_total{cluster=~"$cluster", namespace=~"$namespace", user=~"$tenant"}[$__rate_interval]))`,
          legend: "{{user}} {{reason}}",
        },
      ],
      runbook: "MimirTenantSamplesDiscarded",
      width: 24,
    });
  }
  return board.build();
}
