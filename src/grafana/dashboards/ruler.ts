import { Board, job, sel, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** Ruler evaluations and Alertmanager notifications. */
export function rulerAndAlertmanager(env: DashboardEnv): BuiltDashboard {
  return new Board(env, {
    uid: "platform-ruler-alertmanager",
    title: "Platform / Ruler and Alertmanager",
    description: "Rule evaluation health in the ruler and notification delivery in Mimir's Alertmanager.",
    folder: "Platform",
    tags: ["ruler", "alertmanager", "alerting"],
    variables: ["cluster", "namespace"],
  })
    .row("Ruler")
    .timeseries({
      title: "Rule evaluation failures",
      description: "Rule evaluations failing per second, by tenant.",
      unit: "ops",
      queries: [
        { expr: `sum by (user) (rate(cortex_prometheus_rule_evaluation_failures_total${sel(job("ruler"))}[$__rate_interval]))`, legend: "{{user}}" },
      ],
      runbook: "MimirRulerTooManyFailedQueries",
    })
    .timeseries({
      title: "Missed group iterations",
      description: "Rule group evaluations skipped because the previous one was still running, by tenant.",
      unit: "ops",
      queries: [
        {
          expr: `sum by (user) (rate(cortex_prometheus_rule_group_iterations_missed_total${sel(job("ruler"))}[$__rate_interval]))`,
          legend: "{{user}}",
        },
      ],
      runbook: "MimirRulerMissedEvaluations",
    })
    .timeseries({
      title: "Ruler queries and failures",
      description: "Queries the ruler runs per second, and how many fail.",
      unit: "ops",
      queries: [
        { expr: `sum(rate(cortex_ruler_queries_total${sel(job("ruler"))}[$__rate_interval]))`, legend: "queries" },
        { expr: `sum(rate(cortex_ruler_queries_failed_total${sel(job("ruler"))}[$__rate_interval]))`, legend: "failed" },
      ],
      runbook: "MimirRulerTooManyFailedQueries",
    })
    .timeseries({
      title: "Failed rule result writes",
      description: "Writes of recording-rule results and alert states that failed, per second.",
      unit: "ops",
      queries: [{ expr: `sum(rate(cortex_ruler_write_requests_failed_total${sel(job("ruler"))}[$__rate_interval]))`, legend: "failed" }],
      runbook: "MimirRulerTooManyFailedPushes",
    })
    .row("Alertmanager")
    .timeseries({
      title: "Notifications by integration",
      description: "Notifications sent per second, by integration (email, webhook, PagerDuty, …).",
      unit: "ops",
      queries: [
        {
          expr: `sum by (integration) (rate(cortex_alertmanager_notifications_total${sel(job("alertmanager"))}[$__rate_interval]))`,
          legend: "{{integration}}",
        },
      ],
      runbook: "alertmanager-notifications",
    })
    .timeseries({
      title: "Failed notifications",
      description: "Notifications that could not be delivered, per second, by integration.",
      unit: "ops",
      queries: [
        {
          expr: `sum by (integration) (rate(cortex_alertmanager_notifications_failed_total${sel(job("alertmanager"))}[$__rate_interval]))`,
          legend: "{{integration}}",
        },
      ],
      runbook: "alertmanager-notifications",
    })
    .build();
}
