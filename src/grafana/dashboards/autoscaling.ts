import { Board, sel, type BuiltDashboard, type DashboardEnv } from "./kit.js";

/** HPA state of every autoscaled platform workload, and the signals the autoscalers follow. */
export function autoscaling(env: DashboardEnv): BuiltDashboard {
  const board = new Board(env, {
    uid: "platform-autoscaling",
    title: "Platform / Autoscaling",
    description: "Current, desired and maximum replicas of each HPA, against the load signals they scale on.",
    folder: "Platform",
    tags: ["autoscaling", "hpa"],
    variables: ["cluster", "namespace"],
  });
  board
    .row("Horizontal pod autoscalers")
    .timeseries({
      title: "Current replicas",
      description: "Replicas each HPA runs now.",
      unit: "short",
      queries: [{ expr: `max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas${sel()})`, legend: "{{horizontalpodautoscaler}}" }],
      runbook: "KubeHpaMaxedOut",
      width: 8,
    })
    .timeseries({
      title: "Desired replicas",
      description: "Replicas each HPA wants from its last metric reading.",
      unit: "short",
      queries: [{ expr: `max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_desired_replicas${sel()})`, legend: "{{horizontalpodautoscaler}}" }],
      runbook: "KubeHpaMaxedOut",
      width: 8,
    })
    .timeseries({
      title: "Headroom to max",
      description: "Share of each HPA's maximum in use; at 100% the workload cannot scale further.",
      unit: "percentunit",
      queries: [
        {
          expr:
            `max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas${sel()})` +
            ` / max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas${sel()})`,
          legend: "{{horizontalpodautoscaler}}",
        },
      ],
      objective: { value: 0.9, below: "good" },
      runbook: "KubeHpaMaxedOut",
      min: 0,
      max: 1,
      width: 8,
    })
    .row("Signals");
  if (env.writePath) {
    board.timeseries({
      title: "Samples per distributor",
      description: "Samples per second per distributor replica: the write-path load signal.",
      unit: "short",
      queries: [{ expr: `max(cluster_namespace:cortex_distributor_received_samples_per_replica:rate5m${sel()})`, legend: "per replica" }],
      runbook: "KubeHpaMaxedOut",
      width: 8,
    });
  }
  return board
    .timeseries({
      title: "Querier utilisation",
      description: "Share of querier workers busy: the read-path load signal.",
      unit: "percentunit",
      queries: [{ expr: `max(cluster_namespace:cortex_querier_utilisation:ratio${sel()})`, legend: "utilisation" }],
      runbook: "KubeHpaMaxedOut",
      width: env.writePath ? 8 : 12,
    })
    .timeseries({
      title: "Scheduler queue",
      description: "Queries waiting for a querier: sustained queueing means the queriers should scale out.",
      unit: "short",
      queries: [{ expr: `max(cluster_namespace:cortex_query_scheduler_queue_length:sum${sel()})`, legend: "queued" }],
      runbook: "KubeHpaMaxedOut",
      width: env.writePath ? 8 : 12,
    })
    .build();
}
