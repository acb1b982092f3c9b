import type { Construct } from "constructs";
import {
  PodMonitor,
  ScrapeConfig,
  ScrapeConfigSpecKubernetesSdConfigsRole,
  ScrapeConfigSpecKubernetesSdConfigsSelectorsRole,
  type PodMonitorSpecPodMetricsEndpoints,
  type PodMonitorSpecPodMetricsEndpointsRelabelings,
  type ScrapeConfigSpecRelabelings,
} from "../../imports/monitoring.coreos.com.js";
import { MANAGED_BY } from "../lib/labels.js";
import { operatorPodSelector } from "./prometheus.js";
import { ANNOTATION_DEFAULTS, ENABLED_LABEL, podAnnotationMeta, podLabelMeta, relabelings, type Relabel } from "./policy.js";

/** Container port name every platform component serves /metrics on. */
export const METRICS_PORT = "http-metrics";
/** Container port names the validation chain treats as metrics endpoints that must be monitored. */
export const METRICS_PORT_NAMES = [METRICS_PORT, "metrics"] as const;

const COMPONENT_LABEL = "app.kubernetes.io/component";
/** Platform components with a dedicated monitor, left out of platform-components. */
const OWN_MONITOR_COMPONENTS = ["kube-state-metrics", "pushgateway"] as const;
const NAME_LABEL = "app.kubernetes.io/name";

/** `job` = `<namespace>/<value of a pod label>` (the Mimir mixin's convention). */
function jobFromPodLabel(label: string): Relabel {
  return {
    action: "replace",
    sourceLabels: ["__meta_kubernetes_namespace", podLabelMeta(label)],
    separator: "/",
    regex: "(.+)/(.+)",
    targetLabel: "job",
    replacement: "$1/$2",
  };
}

/** `job` = `<namespace>/<fixed name>`. */
export function jobNamed(name: string): Relabel {
  return { action: "replace", sourceLabels: ["__meta_kubernetes_namespace"], regex: "(.+)", targetLabel: "job", replacement: `$1/${name}` };
}

function endpoint(port: string, rules: readonly Relabel[], extra: Partial<PodMonitorSpecPodMetricsEndpoints> = {}): PodMonitorSpecPodMetricsEndpoints {
  return { port, path: "/metrics", ...extra, relabelings: relabelings<PodMonitorSpecPodMetricsEndpointsRelabelings>(rules) };
}

export interface PlatformMonitorsProps {
  readonly labels: Record<string, string>;
  /** Name of the Prometheus/PrometheusAgent object, whose own pods are monitored too. */
  readonly prometheusName: string;
}

/**
 * PodMonitors for every platform component. The operator adds `namespace`, `pod`, `container` and
 * `instance` (the pod address); `cluster` comes from the external labels. `job` follows the mixin
 * convention `<namespace>/<component>`, taken from the component label, so zone-aware StatefulSets
 * (`ingester-zone-a`, whose pods carry component `ingester`) are one job.
 */
export function platformMonitors(scope: Construct, props: PlatformMonitorsProps): void {
  const { labels } = props;
  // Every component of this repository that serves /metrics on `http-metrics` (or `metrics`): Mimir, gateway,
  // rollout-operator, exporters. Memcached is its own job (`<namespace>/memcached`, as the mixin expects).
  new PodMonitor(scope, "platform-components", {
    metadata: { name: "platform-components", labels },
    spec: {
      selector: {
        matchLabels: { "app.kubernetes.io/managed-by": MANAGED_BY },
        matchExpressions: [
          { key: NAME_LABEL, operator: "NotIn", values: ["memcached"] },
          // Scraped with honorLabels by their own monitors (src/collection/exporters/).
          { key: COMPONENT_LABEL, operator: "NotIn", values: [...OWN_MONITOR_COMPONENTS] },
        ],
      },
      // `metrics`: a second endpoint in the same pod, e.g. the gateway's per-tenant log metrics (mtail).
      // Pods without such a port simply have no target for it.
      podMetricsEndpoints: METRICS_PORT_NAMES.map((port) => endpoint(port, [jobFromPodLabel(COMPONENT_LABEL)])),
    },
  });
  new PodMonitor(scope, "memcached", {
    metadata: { name: "memcached", labels },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/managed-by": MANAGED_BY, [NAME_LABEL]: "memcached" } },
      podMetricsEndpoints: [
        endpoint(METRICS_PORT, [
          jobNamed("memcached"),
          // Which cache (results, index, …) the exporter belongs to.
          { action: "replace", sourceLabels: [podLabelMeta(COMPONENT_LABEL)], regex: "(.+)", targetLabel: "cache", replacement: "$1" },
        ]),
      ],
    },
  });
  // The shards themselves (pods rendered by the operator, labelled by it, port `web`).
  new PodMonitor(scope, "prometheus", {
    metadata: { name: "prometheus", labels },
    spec: {
      selector: { matchLabels: operatorPodSelector(props.prometheusName) },
      podMetricsEndpoints: [endpoint("web", [jobNamed("prometheus")])],
    },
  });
}

/**
 * Annotation scraping (`prometheus.io/scrape: "true"`, `prometheus.io/port` default 9113,
 * `prometheus.io/path` default /metrics) for workloads that cannot ship a monitor. Kubernetes service
 * discovery cannot see namespace labels (prometheus-operator 0.93 attaches node metadata only), so the
 * opt-in is checked where discovery can see it: the pod must carry `monitoring.grafana.com/enabled: "true"`
 * as well (selected server-side, so other pods are never even listed).
 */
export function annotationScraping(scope: Construct, labels: Record<string, string>): void {
  const annotation = (name: string) => podAnnotationMeta(`prometheus.io/${name}`);
  const rules: Relabel[] = [
    { action: "keep", sourceLabels: [annotation("scrape")], regex: "true" },
    // Only running pods, once per pod (a pod is listed once per container port otherwise).
    { action: "drop", sourceLabels: ["__meta_kubernetes_pod_phase"], regex: "Pending|Succeeded|Failed" },
    // Address: pod IP + annotated port, default 9113.
    { action: "replace", targetLabel: "__tmp_port", replacement: String(ANNOTATION_DEFAULTS.port) },
    { action: "replace", sourceLabels: [annotation("port")], regex: "([0-9]+)", targetLabel: "__tmp_port", replacement: "$1" },
    { action: "replace", sourceLabels: ["__meta_kubernetes_pod_ip", "__tmp_port"], separator: ";", regex: "(.+);(.+)", targetLabel: "__address__", replacement: "$1:$2" },
    // Path: annotated or /metrics.
    { action: "replace", targetLabel: "__metrics_path__", replacement: ANNOTATION_DEFAULTS.path },
    { action: "replace", sourceLabels: [annotation("path")], regex: "(/.*)", targetLabel: "__metrics_path__", replacement: "$1" },
    { action: "replace", sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace" },
    { action: "replace", sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod" },
    { action: "replace", sourceLabels: [podLabelMeta("app.kubernetes.io/name")], regex: "(.+)", targetLabel: "app", replacement: "$1" },
    { action: "replace", sourceLabels: [podLabelMeta("app")], regex: "(.+)", targetLabel: "app", replacement: "$1" },
    { action: "replace", sourceLabels: ["__meta_kubernetes_namespace", "app"], separator: "/", regex: "(.+)/(.+)", targetLabel: "job", replacement: "$1/$2" },
  ];
  new ScrapeConfig(scope, "annotated-pods", {
    metadata: { name: "annotated-pods", labels },
    spec: {
      kubernetesSdConfigs: [
        {
          role: ScrapeConfigSpecKubernetesSdConfigsRole.POD,
          selectors: [{ role: ScrapeConfigSpecKubernetesSdConfigsSelectorsRole.POD, label: `${ENABLED_LABEL}=true` }],
        },
      ],
      relabelings: relabelings<ScrapeConfigSpecRelabelings>(rules),
    },
  });
}
