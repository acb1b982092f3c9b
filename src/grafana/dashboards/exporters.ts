import { Board, sel, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/**
 * Blackbox probes (label `probe` = the probe's name in config collection.probes). Probe targets are
 * static, so their series carry no `namespace` label: only the cluster narrows them.
 */
const PROBES = '{cluster=~"$cluster", job="blackbox"}';

export function exportersAndProbes(env: DashboardEnv): BuiltDashboard {
  return new Board(env, {
    uid: "platform-exporters-probes",
    title: "Platform / Exporters and probes",
    description: "Blackbox probes of the platform's endpoints, and whether every exporter is being scraped.",
    folder: "Platform",
    tags: ["exporters", "probes", "blackbox"],
    variables: ["cluster", "namespace"],
  })
    .row("Probes")
    .timeseries({
      title: "Probe success",
      description: "1 when the last probe of each target succeeded, 0 when it failed.",
      unit: "bool_yes_no",
      queries: [{ expr: `min by (probe) (probe_success${PROBES})`, legend: "{{probe}}" }],
      objective: { value: 1, below: "bad" },
      runbook: "BlackboxProbeFailed",
      min: 0,
      max: 1,
    })
    .timeseries({
      title: "Probe duration",
      description: "How long each probe took, end to end.",
      unit: "s",
      queries: [{ expr: `max by (probe) (probe_duration_seconds${PROBES})`, legend: "{{probe}}" }],
      runbook: "BlackboxProbeFailed",
    })
    .timeseries({
      title: "HTTP status",
      description: "Status code each HTTP probe received last.",
      unit: "none",
      queries: [{ expr: `max by (probe) (probe_http_status_code${PROBES})`, legend: "{{probe}}" }],
      runbook: "BlackboxProbeFailed",
    })
    .timeseries({
      title: "TLS certificate expiry",
      description: "Days until the earliest certificate in each probed chain expires.",
      unit: "d",
      queries: [{ expr: `min by (probe) (probe_ssl_earliest_cert_expiry${PROBES} - time()) / 86400`, legend: "{{probe}}" }],
      objective: { value: 14, below: "bad" },
      runbook: "BlackboxSslCertificateWillExpireSoon",
    })
    .row("Exporters")
    .timeseries({
      title: "Targets up by job",
      description: "Scrape targets answering, by job: exporters (node, kube-state-metrics, memcached, blackbox) and platform components.",
      unit: "short",
      queries: [{ expr: `sum by (job) (up${sel()})`, legend: "{{job}}" }],
      runbook: "PrometheusShardDown",
      width: 24,
    })
    .build();
}
