import { Board, job, sel, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** Object storage operations per component, and the compactor that keeps the bucket in shape. */
export function objectStorage(env: DashboardEnv): BuiltDashboard {
  return new Board(env, {
    uid: "platform-object-storage",
    title: "Platform / Object storage",
    description: "Bucket operations and failures per Mimir component.",
    folder: "Platform",
    tags: ["object-storage", "s3"],
    variables: ["cluster", "namespace"],
  })
    .row("Bucket operations")
    .timeseries({
      title: "Operations by component",
      description: "Object storage operations per second, by component and operation (get, upload, iter, …).",
      unit: "ops",
      queries: [
        {
          expr: `sum by (component, operation) (rate(thanos_objstore_bucket_operations_total${sel()}[$__rate_interval]))`,
          legend: "{{component}} {{operation}}",
        },
      ],
      runbook: "MimirStoreGatewayTooManyFailedOperations",
    })
    .timeseries({
      title: "Failed operations",
      description: "Share of object storage operations failing, by component (S3 errors, KMS denials, timeouts).",
      unit: "percentunit",
      queries: [
        {
          expr:
            `sum by (component) (rate(thanos_objstore_bucket_operation_failures_total${sel()}[$__rate_interval]))` +
            ` / sum by (component) (rate(thanos_objstore_bucket_operations_total${sel()}[$__rate_interval]))`,
          legend: "{{component}}",
        },
      ],
      objective: { value: 0.01, below: "good" },
      runbook: "MimirStoreGatewayTooManyFailedOperations",
      min: 0,
    })
    .timeseries({
      title: "Time since last bucket index update",
      description: "Seconds since the compactor last updated each tenant's bucket index; queriers refuse a stale index.",
      unit: "s",
      queries: [
        {
          expr: `time() - min by (user) (cortex_bucket_index_last_successful_update_timestamp_seconds${sel(job("compactor"))} > 0)`,
          legend: "{{user}}",
        },
      ],
      runbook: "MimirBucketIndexNotUpdated",
      width: 24,
    })
    .build();
}

export function compactor(env: DashboardEnv): BuiltDashboard {
  return new Board(env, {
    uid: "platform-compactor",
    title: "Platform / Compactor",
    description: "Compaction runs, failures, cleanup and disk: the compactor merges blocks, deduplicates replicas and applies retention.",
    folder: "Platform",
    tags: ["compactor", "mimir"],
    variables: ["cluster", "namespace"],
  })
    .row("Compaction")
    .timeseries({
      title: "Time since last successful run",
      description: "Seconds since each compactor last finished a compaction run.",
      unit: "s",
      queries: [
        {
          expr: `time() - max by (pod) (cortex_compactor_last_successful_run_timestamp_seconds${sel(job("compactor"))} > 0)`,
          legend: "{{pod}}",
        },
      ],
      objective: { value: 24 * 3600, below: "good" },
      runbook: "MimirCompactorNotRunningCompaction",
    })
    .timeseries({
      title: "Failed runs",
      description: "Compaction runs failing per hour.",
      unit: "short",
      queries: [{ expr: `sum by (pod) (increase(cortex_compactor_runs_failed_total${sel(job("compactor"))}[1h]))`, legend: "{{pod}}" }],
      runbook: "MimirCompactorNotRunningCompaction",
    })
    .timeseries({
      title: "Time since last cleanup",
      description: "Seconds since the compactor last deleted blocks past retention or marked for deletion.",
      unit: "s",
      queries: [
        {
          expr: `time() - max by (pod) (cortex_compactor_block_cleanup_last_successful_run_timestamp_seconds${sel(job("compactor"))} > 0)`,
          legend: "{{pod}}",
        },
      ],
      runbook: "MimirCompactorNotCleaningUpBlocks",
    })
    .timeseries({
      title: "Disk free",
      description: "Free share of the compactor's persistent volume; compaction stops when it runs out.",
      unit: "percentunit",
      queries: [
        {
          expr:
            `min by (persistentvolumeclaim) (kubelet_volume_stats_available_bytes${sel('persistentvolumeclaim=~".*compactor.*"')}` +
            ` / kubelet_volume_stats_capacity_bytes${sel('persistentvolumeclaim=~".*compactor.*"')})`,
          legend: "{{persistentvolumeclaim}}",
        },
      ],
      objective: { value: 0.2, below: "bad" },
      runbook: "MimirCompactorHasRunOutOfDiskSpace",
      min: 0,
      max: 1,
    })
    .build();
}
