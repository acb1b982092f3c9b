import { Board, sel, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** The Prometheus shards that scrape the platform and remote-write into Mimir. */
export function collection(env: DashboardEnv): BuiltDashboard {
  return new Board(env, {
    uid: "platform-collection",
    title: "Platform / Collection",
    description: "Scrape targets, remote-write lag, shards and failed samples of the Prometheus shards feeding Mimir.",
    folder: "Platform",
    tags: ["collection", "prometheus"],
    variables: ["cluster", "namespace"],
  })
    .row("Targets")
    .timeseries({
      title: "Targets down by job",
      description: "Scrape targets whose last scrape failed, by job.",
      unit: "short",
      queries: [{ expr: `count by (job) (up${sel()} == 0)`, legend: "{{job}}" }],
      runbook: "PrometheusShardDown",
    })
    .timeseries({
      title: "Scrape duration p99 by job",
      description: "Slowest scrapes per job; close to the scrape timeout means samples are being lost.",
      unit: "s",
      queries: [{ expr: `quantile by (job) (0.99, scrape_duration_seconds${sel()})`, legend: "{{job}}" }],
      runbook: "PrometheusRemoteWriteFailing",
    })
    .row("Remote write")
    .timeseries({
      title: "Remote-write lag",
      description: "How far each Prometheus shard's sent samples trail the newest sample it has.",
      unit: "s",
      queries: [
        {
          expr:
            `max by (pod) (prometheus_remote_storage_highest_timestamp_in_seconds${sel()})` +
            ` - on (pod) max by (pod) (prometheus_remote_storage_queue_highest_sent_timestamp_seconds${sel()})`,
          legend: "{{pod}}",
        },
      ],
      objective: { value: 120, below: "good" },
      runbook: "PrometheusRemoteWriteBehind",
    })
    .timeseries({
      title: "Remote-write shards",
      description: "Parallel remote-write connections per Prometheus, against the desired and maximum counts.",
      unit: "short",
      queries: [
        { expr: `max by (pod) (prometheus_remote_storage_shards${sel()})`, legend: "{{pod}} current" },
        { expr: `max by (pod) (prometheus_remote_storage_shards_desired${sel()})`, legend: "{{pod}} desired" },
        { expr: `max by (pod) (prometheus_remote_storage_shards_max${sel()})`, legend: "{{pod}} max" },
      ],
      runbook: "PrometheusRemoteWriteFailing",
    })
    .timeseries({
      title: "Failed, retried and dropped samples",
      description: "Samples per second remote-write could not deliver (failed, dropped) or had to resend (retried).",
      unit: "short",
      queries: [
        { expr: `sum(rate(prometheus_remote_storage_samples_failed_total${sel()}[$__rate_interval]))`, legend: "failed" },
        { expr: `sum(rate(prometheus_remote_storage_samples_retried_total${sel()}[$__rate_interval]))`, legend: "retried" },
        { expr: `sum(rate(prometheus_remote_storage_samples_dropped_total${sel()}[$__rate_interval]))`, legend: "dropped" },
      ],
      runbook: "PrometheusRemoteWriteFailing",
      width: 24,
    })
    .build();
}
