/**
 * Rules as typed values. Expressions stay PromQL strings (a test parses every one of them with the
 * Lezer PromQL grammar and promtool checks and unit-tests the rendered files); everything around
 * them (names, durations, severities, label sets, where a group is evaluated) is typed here.
 */

/** A Prometheus duration as rule files accept it, e.g. `5m`, `1h`, `30s`. */
export type Duration = `${number}${"s" | "m" | "h" | "d"}`;

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Label values are plain strings; reserved keys (severity, scope) are typed fields of the alert. */
export type LabelSet = Readonly<Record<string, string>>;

export interface RecordingRule {
  /** `level:metric:operations`, e.g. `cluster_namespace_job:cortex_request_duration_seconds:99quantile`. */
  readonly record: string;
  readonly expr: string;
  readonly labels?: LabelSet;
}

export interface AlertingRule {
  /** Mixin name where one exists, so runbooks and habits carry over. */
  readonly alert: string;
  readonly expr: string;
  readonly for?: Duration;
  readonly severity: Severity;
  /** Extra labels distinguishing variants of one alert (e.g. `reason`). */
  readonly labels?: LabelSet;
  /** One line, may use `{{ $labels.x }}` / `{{ $value }}` templates. */
  readonly summary: string;
  readonly description: string;
}

/**
 * Where a recording group is evaluated:
 * - `shard`: by each Prometheus shard (PrometheusRule). Only rules that aggregate within one
 *   target's series are correct there: a shard sees only its own targets.
 * - `ruler`: by Mimir's ruler over the tenant's whole data (global view).
 */
export type Evaluation = "shard" | "ruler";

export interface RecordingGroup {
  readonly name: string;
  readonly evaluation: Evaluation;
  readonly interval?: Duration;
  /** Why the group exists (rendered as a comment in the docs, not in the rule file). */
  readonly purpose: string;
  readonly rules: readonly RecordingRule[];
}

export interface AlertGroup {
  readonly name: string;
  readonly interval?: Duration;
  readonly rules: readonly AlertingRule[];
}

/** Settings the alerting rules read from the environment's config. */
export interface AlertSettings {
  /** `runbook_url` = `<runbookBaseUrl>/<alert name>`. */
  readonly runbookBaseUrl: string;
  /** Value of the `cluster` label (config.clusterLabel), for alerts built from no series (Watchdog). */
  readonly clusterLabel: string;
  /** Team label (`scope`) every platform alert carries; Alertmanager routes on it. */
  readonly scope: string;
  /** Hit-ratio objective per cache; absent when the cache is disabled (no ratio to hold it to). */
  readonly cacheObjectives: {
    readonly results?: number;
    readonly index?: number;
    readonly chunks?: number;
  };
}
