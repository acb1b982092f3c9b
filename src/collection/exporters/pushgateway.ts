import type { Construct } from "constructs";
import { PodMonitor } from "../../../imports/monitoring.coreos.com.js";
import type { CollectionSettings } from "../../config/collection-schema.js";
import { IMAGES } from "../../lib/images.js";
import { METRICS_PORT } from "../monitors.js";
import { exporterDeployment } from "./workload.js";

export const PUSHGATEWAY_PORT = 9091;

/**
 * Pushgateway for batch jobs. One replica without persistence (pushed groups live in memory; a
 * restart loses them, which jobs that push on every run tolerate). Scraped with `honorLabels`, so a
 * pushed `job`/`instance` is kept rather than overwritten by the Pushgateway pod's own.
 */
export function pushgateway(scope: Construct, instance: string, settings: CollectionSettings): void {
  const exporter = exporterDeployment(scope, {
    name: "pushgateway",
    instance,
    image: IMAGES.pushgateway,
    args: [`--web.listen-address=:${PUSHGATEWAY_PORT}`, "--log.format=json"],
    metricsPort: PUSHGATEWAY_PORT,
    healthPath: "/-/healthy",
    replicas: 1,
    defaultResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    resources: settings.exporters.pushgateway.resources,
  });
  new PodMonitor(scope, "pushgateway-monitor", {
    metadata: { name: "pushgateway", labels: exporter.labels },
    spec: {
      selector: { matchLabels: exporter.selector },
      podMetricsEndpoints: [{ port: METRICS_PORT, path: "/metrics", honorLabels: true }],
    },
  });
}
