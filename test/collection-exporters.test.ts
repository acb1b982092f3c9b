import { Chart, Testing } from "cdk8s";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { collectionSchema, type CollectionSettings } from "../src/config/collection-schema.js";
import { blackboxExporter, blackboxModules } from "../src/collection/exporters/blackbox.js";
import { kubeStateMetrics } from "../src/collection/exporters/kube-state-metrics.js";
import { nodeExporter } from "../src/collection/exporters/node-exporter.js";
import { otelCollector, otelCollectorConfig } from "../src/collection/exporters/otel-collector.js";
import { pushgateway } from "../src/collection/exporters/pushgateway.js";
import { IMAGES } from "../src/lib/images.js";
import type { ServiceRef } from "../src/lib/service-ref.js";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string>; rules?: any[]; subjects?: any[] };

const settings = (input: Record<string, unknown> = {}): CollectionSettings => collectionSchema.parse(input);

function render(build: (chart: Chart, cluster: Chart) => void): Obj[] {
  const app = Testing.app();
  const chart = new Chart(app, "ns", { namespace: "mimir" });
  const cluster = new Chart(app, "cluster");
  build(chart, cluster);
  return [...(Testing.synth(chart) as Obj[]), ...(Testing.synth(cluster) as Obj[])];
}
const one = (objs: Obj[], kind: string, name?: string) => {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, `${kind} ${name ?? ""}`).toHaveLength(1);
  return found[0]!;
};
const container = (workload: Obj) => workload.spec.template.spec.containers[0];

/** Restricted profile, requests and a memory limit: what every exporter except node-exporter must have. */
function expectRestrictedWithLimits(workload: Obj): void {
  const pod = workload.spec.template.spec;
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
  expect(pod.hostNetwork).toBeUndefined();
  for (const c of pod.containers) {
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true });
    expect(c.resources.requests).toHaveProperty("cpu");
    expect(c.resources.requests).toHaveProperty("memory");
    expect(c.resources.limits).toHaveProperty("memory");
  }
}

const gateway: ServiceRef = {
  name: "gateway",
  namespace: "mimir",
  fqdn: "gateway.mimir.svc.cluster.local",
  ports: { http: 80, "http-metrics": 8080 },
  selector: {},
  headless: false,
};

describe("blackbox exporter", () => {
  const objs = render((chart) =>
    blackboxExporter(chart, "mimir", settings({ probes: [{ name: "grafana-login", target: "https://grafana.obs.example.com/login", interval: "30s" }, { name: "db", target: "db.example.com:5432", module: "tcp_connect" }] })),
  );

  it("runs 2 restricted replicas with a PDB, pinned image", () => {
    const deployment = one(objs, "Deployment", "blackbox-exporter");
    expect(deployment.spec.replicas).toBe(2);
    expect(container(deployment).image).toBe(IMAGES.blackboxExporter);
    expectRestrictedWithLimits(deployment);
    one(objs, "PodDisruptionBudget", "blackbox-exporter");
  });

  it("defines http_2xx, http_post_2xx and tcp_connect, and no icmp (it needs CAP_NET_RAW)", () => {
    const config = load(one(objs, "ConfigMap").data!["blackbox.yml"]!) as any;
    expect(Object.keys(config.modules).sort()).toEqual(["http_2xx", "http_post_2xx", "tcp_connect"]);
    expect(config.modules).toEqual(blackboxModules());
  });

  it("turns each configured check into a Probe through the exporter's Service", () => {
    const probe = one(objs, "Probe", "grafana-login");
    expect(probe.spec).toEqual({
      jobName: "blackbox",
      module: "http_2xx",
      interval: "30s",
      prober: { url: "blackbox-exporter.mimir.svc.cluster.local:9115", scheme: "http", path: "/probe" },
      targets: { staticConfig: { static: ["https://grafana.obs.example.com/login"], labels: { probe: "grafana-login" } } },
    });
    expect(one(objs, "Probe", "db").spec.module).toBe("tcp_connect");
  });
});

describe("pushgateway", () => {
  const objs = render((chart) => pushgateway(chart, "mimir", settings()));
  it("is one restricted replica scraped with honorLabels", () => {
    const deployment = one(objs, "Deployment", "pushgateway");
    expect(deployment.spec.replicas).toBe(1);
    expectRestrictedWithLimits(deployment);
    expect(one(objs, "PodDisruptionBudget").spec.maxUnavailable).toBe(1);
    expect(one(objs, "PodMonitor", "pushgateway").spec.podMetricsEndpoints).toEqual([{ port: "http-metrics", path: "/metrics", honorLabels: true }]);
  });
});

describe("kube-state-metrics", () => {
  const objs = render((chart, cluster) => kubeStateMetrics(chart, cluster, { instance: "mimir", namespace: "mimir", settings: settings() }));
  it("reads the API with list/watch only, no Secrets, no wildcards", () => {
    const role = one(objs, "ClusterRole");
    for (const rule of role.rules!) {
      expect(rule.verbs).toEqual(["list", "watch"]);
      expect(rule.resources).not.toContain("*");
      expect(rule.resources).not.toContain("secrets");
    }
    const binding = one(objs, "ClusterRoleBinding");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "kube-state-metrics", namespace: "mimir" }]);
    const deployment = one(objs, "Deployment", "kube-state-metrics");
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(true);
    expectRestrictedWithLimits(deployment);
    // Every resource it is told to export is one it may list.
    const flag = container(deployment).args.find((a: string) => a.startsWith("--resources="));
    const granted = role.rules!.flatMap((r: any) => r.resources);
    expect(flag.slice("--resources=".length).split(",").sort()).toEqual([...granted].sort());
    expect(one(objs, "PodMonitor").spec.podMetricsEndpoints[0].honorLabels).toBe(true);
  });
});

describe("node-exporter", () => {
  const objs = render((chart, cluster) => nodeExporter(chart, cluster, { instance: "mimir", platformNamespace: "mimir", settings: settings() }));
  it("has read-only host access only, justified, in its own opted-in namespace", () => {
    const ds = one(objs, "DaemonSet", "node-exporter");
    expect(ds.metadata.namespace).toBe("mimir-node-exporter");
    expect(ds.metadata.annotations?.["observability-platform/host-access"]).toMatch(/hostNetwork/);
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.hostPID).toBeUndefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = container(ds);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true });
    expect(c.securityContext.privileged).toBeUndefined();
    for (const mount of c.volumeMounts) expect(mount.readOnly).toBe(true);
    expect(c.resources.limits).toHaveProperty("memory");
    const ns = one(objs, "Namespace");
    expect(ns.metadata.labels).toMatchObject({ "monitoring.grafana.com/enabled": "true", "pod-security.kubernetes.io/enforce": "privileged" });
    const monitor = one(objs, "PodMonitor");
    expect(monitor.metadata.namespace).toBe("mimir-node-exporter");
  });
});

describe("OpenTelemetry Collector", () => {
  const token = { secret: "prometheus-remote-write-token", key: "token" };
  const base = settings({ exporters: { otelCollector: { tracesEndpoint: "tempo-distributor.tempo.svc.cluster.local:4317" } } });
  const objs = render((chart) => otelCollector(chart, { instance: "mimir", settings: base, gateway, token }));

  it("receives OTLP on 4317/4318 and sends metrics to the gateway's OTLP endpoint with the tenant token, traces to Tempo", () => {
    const config = load(one(objs, "ConfigMap").data!["config.yaml"]!) as any;
    expect(config.receivers.otlp.protocols).toEqual({ grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } });
    expect(config.exporters["otlphttp/mimir"]).toMatchObject({
      metrics_endpoint: "http://gateway.mimir.svc.cluster.local:80/otlp/v1/metrics",
      auth: { authenticator: "bearertokenauth/gateway" },
    });
    expect(config.extensions["bearertokenauth/gateway"]).toEqual({ filename: "/etc/otelcol-token/token" });
    expect(config.exporters["otlp/tempo"].endpoint).toBe("tempo-distributor.tempo.svc.cluster.local:4317");
    expect(config.service.pipelines.traces.exporters).toEqual(["otlp/tempo"]);
    const deployment = one(objs, "Deployment", "otel-collector");
    expectRestrictedWithLimits(deployment);
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: "token", secret: { secretName: token.secret, items: [{ key: "token", path: "token" }], defaultMode: 0o440 } });
    const service = one(objs, "Service");
    expect(service.spec.ports.map((p: any) => [p.name, p.port])).toEqual([["http-metrics", 8888], ["otlp-grpc", 4317], ["otlp-http", 4318], ["health", 13133]]);
    one(objs, "PodDisruptionBudget", "otel-collector");
  });

  it("has no traces pipeline without a Tempo endpoint", () => {
    const config = otelCollectorConfig({ settings: settings(), gateway, token }) as any;
    expect(config.service.pipelines.traces).toBeUndefined();
    expect(config.exporters["otlp/tempo"]).toBeUndefined();
  });
});
