import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Construct } from "constructs";
import { dump } from "js-yaml";
import { Probe, ProbeSpecProberScheme } from "../../../imports/monitoring.coreos.com.js";
import { PROBE_MODULES, type CollectionSettings, type ProbeModule } from "../../config/collection-schema.js";
import { CONFIG_HASH_ANNOTATION, configHash } from "../../lib/config-hash.js";
import { IMAGES } from "../../lib/images.js";
import { hostPort } from "../../lib/service-ref.js";
import { METRICS_PORT } from "../monitors.js";
import { exporterDeployment } from "./workload.js";

export const BLACKBOX_PORT = 9115;
const CONFIG_DIR = "/etc/blackbox";

/**
 * The blackbox exporter's modules. `icmp` is deliberately absent: ICMP echo needs a raw socket
 * (CAP_NET_RAW) or the `net.ipv4.ping_group_range` sysctl, neither of which the restricted Pod
 * Security profile allows.
 */
export function blackboxModules(): Record<ProbeModule, unknown> {
  const http = { preferred_ip_protocol: "ip4", follow_redirects: true };
  const modules: Record<ProbeModule, unknown> = {
    http_2xx: { prober: "http", timeout: "5s", http: { ...http, method: "GET" } },
    http_post_2xx: { prober: "http", timeout: "5s", http: { ...http, method: "POST" } },
    tcp_connect: { prober: "tcp", timeout: "5s", tcp: { preferred_ip_protocol: "ip4" } },
  };
  // Every module a probe may name exists (PROBE_MODULES is the config's enum).
  for (const name of PROBE_MODULES) if (!(name in modules)) throw new Error(`blackbox module ${name} is not defined`);
  return modules;
}

/** Blackbox exporter plus one Probe object per configured synthetic check. */
export function blackboxExporter(scope: Construct, instance: string, settings: CollectionSettings): void {
  const blackbox = settings.exporters.blackbox;
  const config = dump({ modules: blackboxModules() }, { sortKeys: true, lineWidth: -1 });
  const configMapName = "blackbox-exporter-config";
  const exporter = exporterDeployment(scope, {
    name: "blackbox-exporter",
    instance,
    image: IMAGES.blackboxExporter,
    args: [`--config.file=${CONFIG_DIR}/blackbox.yml`, `--web.listen-address=:${BLACKBOX_PORT}`, "--log.format=json"],
    metricsPort: BLACKBOX_PORT,
    healthPath: "/-/healthy",
    replicas: blackbox.replicas,
    defaultResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    resources: blackbox.resources,
    volumes: [{ name: "config", configMap: { name: configMapName } }],
    volumeMounts: [{ name: "config", mountPath: CONFIG_DIR, readOnly: true }],
    podAnnotations: { [CONFIG_HASH_ANNOTATION]: configHash(config) },
  });
  new k8s.KubeConfigMap(scope, "blackbox-config", { metadata: { name: configMapName, labels: exporter.labels }, data: { "blackbox.yml": config } });

  for (const probe of settings.probes) {
    new Probe(scope, `probe-${probe.name}`, {
      metadata: { name: probe.name, labels: exporter.labels },
      spec: {
        jobName: "blackbox",
        module: probe.module,
        interval: probe.interval,
        prober: { url: hostPort(exporter.service, METRICS_PORT), scheme: ProbeSpecProberScheme.HTTP, path: "/probe" },
        targets: { staticConfig: { static: [probe.target], labels: { probe: probe.name } } },
      },
    });
  }
}
