/**
 * Metrics coverage of an environment that collects (has a Prometheus or PrometheusAgent object):
 *
 * - every container port named for metrics (`http-metrics`, `metrics`) of every pod template is scraped
 *   by some PodMonitor (selector + port) or ServiceMonitor (a selected Service routing to that port);
 * - no dead monitors: a PodMonitor or ServiceMonitor whose namespaces hold no pod template at all.
 *   (Monitors whose selector or ports match nothing in a populated namespace are reported by
 *   invariants.ts check 4.)
 *
 * Environments without a Prometheus (e.g. DR) have nothing that would scrape, so nothing is checked.
 */
import {
  indexEnvironment,
  isObject,
  matchesLabelSelector,
  monitorNamespaces,
  type EnvIndex,
  type Entry,
  type InvariantFile,
  type PodTemplate,
} from "./invariants.js";
import type { Problem } from "./problem.js";

/** Container port names that mean "my metrics are here". */
export const METRICS_PORT_NAMES: readonly string[] = ["http-metrics", "metrics"];

const isMonitor = (e: Entry) => e.group === "monitoring.coreos.com" && (e.kind === "PodMonitor" || e.kind === "ServiceMonitor") && isObject(e.obj.spec);
const isCollector = (e: Entry) => e.group === "monitoring.coreos.com" && (e.kind === "Prometheus" || e.kind === "PrometheusAgent");

function selectorOf(e: Entry): Record<string, unknown> {
  const spec = e.obj.spec as Record<string, unknown>;
  return isObject(spec.selector) ? spec.selector : {};
}

function endpointsOf(e: Entry): Record<string, unknown>[] {
  const spec = e.obj.spec as Record<string, unknown>;
  const list = e.kind === "PodMonitor" ? spec.podMetricsEndpoints : spec.endpoints;
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/** Whether `monitor` scrapes container port `port` of `template`. */
function scrapes(monitor: Entry, template: PodTemplate, port: { name?: string; containerPort: number }, index: EnvIndex): boolean {
  const ns = template.entry.namespace;
  if (!monitorNamespaces(monitor, index).includes(ns)) return false;
  const endpoints = endpointsOf(monitor);
  if (monitor.kind === "PodMonitor") {
    if (!matchesLabelSelector(selectorOf(monitor), template.labels)) return false;
    return endpoints.some((ep) => (port.name !== undefined && ep.port === port.name) || ep.portNumber === port.containerPort);
  }
  for (const service of index.services.values()) {
    if (service.entry.namespace !== ns || !service.selector) continue;
    if (!matchesLabelSelector(selectorOf(monitor), service.labels)) continue;
    if (!Object.entries(service.selector).every(([k, v]) => template.labels[k] === v)) continue;
    const routed = service.ports.filter((p) => p.targetPort === port.name || p.targetPort === port.containerPort);
    if (routed.some((p) => endpoints.some((ep) => ep.port === p.name || ep.targetPort === port.name || ep.targetPort === port.containerPort))) return true;
  }
  return false;
}

export function checkMetricsCoverage(files: ReadonlyArray<InvariantFile>): Problem[] {
  const index = indexEnvironment(files);
  if (!index.entries.some(isCollector)) return [];
  const monitors = index.entries.filter(isMonitor);
  const problems: Problem[] = [];
  for (const templates of index.templates.values()) {
    for (const template of templates) {
      for (const port of template.ports) {
        if (port.name === undefined || !METRICS_PORT_NAMES.includes(port.name)) continue;
        if (monitors.some((monitor) => scrapes(monitor, template, port, index))) continue;
        problems.push({
          file: template.entry.file,
          object: template.entry.ref,
          message: `container port "${port.name}" (${port.containerPort}) serves metrics, but no PodMonitor or ServiceMonitor of this environment scrapes it (see src/collection/monitors.ts)`,
        });
      }
    }
  }
  for (const monitor of monitors) {
    const namespaces = monitorNamespaces(monitor, index);
    if (namespaces.some((ns) => (index.templates.get(ns) ?? []).length > 0)) continue;
    problems.push({
      file: monitor.file,
      object: monitor.ref,
      path: "spec.selector",
      message: `dead monitor: no pod template in ${namespaces.join(", ") || "(no namespace)"} in this environment`,
    });
  }
  return problems;
}
