import { Board, job, READ_ROUTES, sel, WRITE_ROUTES, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** Availability objectives the overview measures error budgets against (30-day windows). */
export const SLO = { write: 0.999, read: 0.995 } as const;

/** Share of requests on `routes` of `jobs` that did not fail with a 5xx (529/598 are Mimir's own back-pressure). */
function availability(component: string, routes: string, range: string): string {
  const all = `sum(rate(cortex_request_duration_seconds_count${sel(job(component), routes)}[${range}]))`;
  const failed = `sum(rate(cortex_request_duration_seconds_count${sel(job(component), routes, 'status_code=~"5..", status_code!~"529|598"')}[${range}]))`;
  return `1 - ((${failed} or vector(0)) / ${all})`;
}

/** Remaining share of the 30-day error budget: 1 = untouched, 0 = spent, negative = overspent. */
function errorBudget(component: string, routes: string, objective: number): string {
  return `1 - ((1 - (${availability(component, routes, "30d")})) / ${(1 - objective).toFixed(4)})`;
}

export function platformOverview(env: DashboardEnv): BuiltDashboard {
  const board = new Board(env, {
    uid: "platform-overview",
    title: "Platform / Overview",
    description: "Availability against the SLOs, error budgets, ingestion, series, queries and ring health at a glance.",
    folder: "Platform",
    tags: ["overview", "slo"],
    variables: ["cluster", "namespace"],
  });
  board.row("Service level objectives");
  if (env.writePath) {
    board
      .stat({
        title: "Write availability (30d)",
        description: `Share of write requests (push, OTLP) without a server error over 30 days. Objective: ${SLO.write * 100}%.`,
        unit: "percentunit",
        queries: [{ expr: availability("distributor", WRITE_ROUTES, "30d") }],
        objective: { value: SLO.write, below: "bad" },
        runbook: "MimirRequestErrors",
      })
      .stat({
        title: "Write error budget left",
        description: "Share of the 30-day write error budget still unspent; below 0 the SLO is broken.",
        unit: "percentunit",
        queries: [{ expr: errorBudget("distributor", WRITE_ROUTES, SLO.write) }],
        objective: { value: 0, below: "bad" },
        runbook: "MimirRequestErrors",
      });
  }
  board
    .stat({
      title: "Read availability (30d)",
      description: `Share of Prometheus API requests without a server error over 30 days. Objective: ${SLO.read * 100}%.`,
      unit: "percentunit",
      queries: [{ expr: availability("query-frontend", READ_ROUTES, "30d") }],
      objective: { value: SLO.read, below: "bad" },
      runbook: "MimirRequestErrors",
    })
    .stat({
      title: "Read error budget left",
      description: "Share of the 30-day read error budget still unspent; below 0 the SLO is broken.",
      unit: "percentunit",
      queries: [{ expr: errorBudget("query-frontend", READ_ROUTES, SLO.read) }],
      objective: { value: 0, below: "bad" },
      runbook: "MimirRequestErrors",
    });
  board.row("Traffic");
  if (env.writePath) {
    board
      .timeseries({
        title: "Samples ingested",
        description: "Samples per second accepted by the distributors, all tenants.",
        unit: "short",
        queries: [{ expr: `sum(cluster_namespace:cortex_distributor_received_samples:rate5m${sel()})`, legend: "samples/s" }],
        runbook: "MimirTenantSamplesDiscarded",
        width: 8,
      })
      .timeseries({
        title: "Active series",
        description: "In-memory series across the ingesters, de-replicated (divided by the replication factor).",
        unit: "short",
        queries: [
          {
            expr: `sum(cortex_ingester_memory_series${sel(job("ingester"))}) / max(cortex_distributor_replication_factor${sel()})`,
            legend: "series",
          },
        ],
        runbook: "MimirTenantSamplesDiscarded",
        width: 8,
      });
  }
  board
    .timeseries({
      title: "Queries",
      description: "Prometheus API requests per second at the query-frontend, by status code.",
      unit: "reqps",
      queries: [
        {
          expr: `sum by (status_code) (rate(cortex_request_duration_seconds_count${sel(job("query-frontend"), READ_ROUTES)}[$__rate_interval]))`,
          legend: "{{status_code}}",
        },
      ],
      runbook: "MimirRequestErrors",
      width: env.writePath ? 8 : 24,
      stack: true,
    })
    .row("Health")
    .timeseries({
      title: "Ring members by state",
      description: "Members of each hash ring by state; anything but ACTIVE for long needs a look.",
      unit: "short",
      queries: [{ expr: `sum by (name, state) (cortex_ring_members${sel()})`, legend: "{{name}} {{state}}" }],
      runbook: "MimirIngesterUnhealthy",
    })
    .timeseries({
      title: "Pods not ready",
      description: "Platform pods whose Ready condition is false.",
      unit: "short",
      queries: [{ expr: `sum by (pod) (kube_pod_status_ready${sel('condition="false"')}) > 0`, legend: "{{pod}}" }],
      runbook: "KubePodCrashLooping",
      min: 0,
    })
    .row("Grafana")
    .timeseries({
      title: "Grafana requests by status",
      description: "HTTP requests per second Grafana served (UI, API, logins), by status code.",
      unit: "reqps",
      queries: [
        {
          expr: `sum by (status_code) (rate(grafana_http_request_duration_seconds_count${sel('job=~".*/grafana"')}[$__rate_interval]))`,
          legend: "{{status_code}}",
        },
      ],
      runbook: "grafana",
      stack: true,
    })
    .timeseries({
      title: "Datasource requests by datasource and code",
      description: "Requests per second Grafana's datasources send through the gateway, by datasource and HTTP code (401: the tenant token was rejected).",
      unit: "reqps",
      queries: [
        {
          expr: `sum by (datasource, code) (rate(grafana_datasource_request_total${sel('job=~".*/grafana"')}[$__rate_interval]))`,
          legend: "{{datasource}} {{code}}",
        },
      ],
      runbook: "grafana",
    });
  return board.build();
}
