/** settings.test.ts cases for the `collection:` section (each edit must change the output or be rejected). */
type Config = Record<string, any>;
interface Case {
  readonly env?: string;
  readonly edit: (config: Config) => void;
}

const prom = (c: Config) => c.collection.prometheus;
const exporter = (c: Config, name: string) => ((c.collection.exporters ??= {})[name] ??= {});

export const COLLECTION_CASES: Record<string, Case> = {
  "collection.prometheus.kind": { env: "local", edit: (c) => (prom(c).kind = "Prometheus") },
  "collection.prometheus.shards": { edit: (c) => (prom(c).shards = 3) },
  "collection.prometheus.replicas": { edit: (c) => (prom(c).replicas = 3) },
  "collection.prometheus.retention": { edit: (c) => (prom(c).retention = "12h") },
  "collection.prometheus.resources": { edit: (c) => (prom(c).resources = { requests: { cpu: "2", memory: "6Gi" } }) },
  "collection.prometheus.queue.capacity": { edit: (c) => (prom(c).queue = { capacity: 20000 }) },
  "collection.prometheus.queue.minShards": { edit: (c) => (prom(c).queue = { minShards: 2 }) },
  "collection.prometheus.queue.maxShards": { edit: (c) => (prom(c).queue = { maxShards: 80 }) },
  "collection.prometheus.queue.maxSamplesPerSend": { edit: (c) => (prom(c).queue = { maxSamplesPerSend: 3000 }) },
  "collection.prometheus.queue.batchSendDeadline": { edit: (c) => (prom(c).queue = { batchSendDeadline: "10s" }) },
  "collection.scrapeIntervals.app": { edit: (c) => (c.collection.scrapeIntervals.app = "20s") },
  "collection.scrapeIntervals.infra": { edit: (c) => (c.collection.scrapeIntervals.infra = "90s") },
  "collection.scrapeIntervals.noisy": { edit: (c) => (c.collection.scrapeIntervals.noisy = "5m") },
  "collection.defaultClass": { edit: (c) => (c.collection.defaultClass = "app") },
  "collection.probes[].name": { edit: (c) => (c.collection.probes[1].name = "grafana-health") },
  "collection.probes[].target": { edit: (c) => (c.collection.probes[1].target = "https://grafana.obs.acme.example/login") },
  "collection.probes[].module": { edit: (c) => (c.collection.probes[1].module = "http_post_2xx") },
  "collection.probes[].interval": { edit: (c) => (c.collection.probes[1].interval = "2m") },
  "collection.remoteWrite.backend": { edit: (c) => (c.collection.remoteWrite = { backend: "amp" }) },
  "collection.exporters.nodeExporter.enabled": { edit: (c) => (exporter(c, "nodeExporter").enabled = false) },
  "collection.exporters.nodeExporter.resources": { edit: (c) => (exporter(c, "nodeExporter").resources = { requests: { cpu: "100m", memory: "100Mi" } }) },
  "collection.exporters.kubeStateMetrics.enabled": { edit: (c) => (exporter(c, "kubeStateMetrics").enabled = false) },
  "collection.exporters.kubeStateMetrics.resources": { edit: (c) => (exporter(c, "kubeStateMetrics").resources = { requests: { cpu: "1", memory: "1Gi" } }) },
  "collection.exporters.blackbox.enabled": { edit: (c) => (exporter(c, "blackbox").enabled = false, (c.collection.probes = [])) },
  "collection.exporters.blackbox.replicas": { edit: (c) => (exporter(c, "blackbox").replicas = 3) },
  "collection.exporters.blackbox.resources": { edit: (c) => (exporter(c, "blackbox").resources = { requests: { cpu: "1", memory: "1Gi" } }) },
  "collection.exporters.pushgateway.enabled": { edit: (c) => (exporter(c, "pushgateway").enabled = false) },
  "collection.exporters.pushgateway.resources": { edit: (c) => (exporter(c, "pushgateway").resources = { requests: { cpu: "1", memory: "1Gi" } }) },
  "collection.exporters.otelCollector.enabled": { edit: (c) => (exporter(c, "otelCollector").enabled = false) },
  "collection.exporters.otelCollector.replicas": { edit: (c) => (exporter(c, "otelCollector").replicas = 3) },
  "collection.exporters.otelCollector.resources": { edit: (c) => (exporter(c, "otelCollector").resources = { requests: { cpu: "1", memory: "1Gi" } }) },
  "collection.exporters.otelCollector.tracesEndpoint": { edit: (c) => (exporter(c, "otelCollector").tracesEndpoint = "tempo-distributor.tempo.svc.cluster.local:4317") },
};
