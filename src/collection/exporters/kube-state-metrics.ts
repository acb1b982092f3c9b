import type { Construct } from "constructs";
import { PodMonitor } from "../../../imports/monitoring.coreos.com.js";
import type { CollectionSettings } from "../../config/collection-schema.js";
import { IMAGES } from "../../lib/images.js";
import { METRICS_PORT } from "../monitors.js";
import { clusterReader } from "../rbac.js";
import { exporterDeployment } from "./workload.js";

const KSM_PORT = 8080;
const KSM_TELEMETRY_PORT = 8081;

/** What kube-state-metrics exposes, by API group: it is granted list/watch on exactly these. */
const KSM_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  "": ["endpoints", "namespaces", "nodes", "persistentvolumeclaims", "persistentvolumes", "pods", "services"],
  apps: ["daemonsets", "deployments", "replicasets", "statefulsets"],
  autoscaling: ["horizontalpodautoscalers"],
  batch: ["cronjobs", "jobs"],
  policy: ["poddisruptionbudgets"],
};

/**
 * kube-state-metrics with read-only RBAC (list/watch of the resources it exports; no Secrets or
 * ConfigMaps). Scraped with `honorLabels`, since its series carry the `namespace`/`pod` of the
 * object they describe, which must win over the exporter pod's own.
 */
export function kubeStateMetrics(scope: Construct, clusterScope: Construct, options: { instance: string; namespace: string; settings: CollectionSettings }): void {
  const resources = Object.values(KSM_RESOURCES).flat().sort();
  const exporter = exporterDeployment(scope, {
    name: "kube-state-metrics",
    instance: options.instance,
    image: IMAGES.kubeStateMetrics,
    args: [`--port=${KSM_PORT}`, `--telemetry-port=${KSM_TELEMETRY_PORT}`, `--resources=${resources.join(",")}`],
    metricsPort: KSM_PORT,
    healthPath: "/healthz",
    replicas: 1,
    defaultResources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    resources: options.settings.exporters.kubeStateMetrics.resources,
    apiAccess: true,
  });
  clusterReader(clusterScope, {
    name: `${options.namespace}-kube-state-metrics`,
    labels: exporter.labels,
    rules: Object.entries(KSM_RESOURCES).map(([apiGroup, names]) => ({ apiGroups: [apiGroup], resources: [...names], verbs: ["list", "watch"] })),
    serviceAccount: { name: exporter.serviceAccount, namespace: options.namespace },
  });
  new PodMonitor(scope, "kube-state-metrics-monitor", {
    metadata: { name: "kube-state-metrics", labels: exporter.labels },
    spec: {
      selector: { matchLabels: exporter.selector },
      podMetricsEndpoints: [{ port: METRICS_PORT, path: "/metrics", honorLabels: true }],
    },
  });
}
