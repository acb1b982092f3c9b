import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { dump, load, loadAll } from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { synthesizeAll, type SynthOutcome } from "../src/synth/pipeline.js";
import { REPO_ROOT } from "./helpers/cli.js";
import { checkMetricsCoverage } from "../src/validate/metrics-coverage.js";
import { isCi } from "./helpers/nginx.js";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string>; stringData?: Record<string, string> };

let outcome: SynthOutcome;
beforeAll(() => {
  outcome = synthesizeAll({ root: REPO_ROOT, envs: [] });
});

function objects(env: string): Obj[] {
  const all: Obj[] = [];
  for (const [file, text] of outcome.files) {
    if (file.startsWith(`dist/${env}/`) && !file.endsWith("kustomization.yaml")) all.push(...(loadAll(text) as Obj[]));
  }
  return all;
}
const ofKind = (env: string, kind: string) => objects(env).filter((o) => o.kind === kind);
const configMapDoc = (env: string, name: string, key: string) => load(objects(env).find((o) => o.kind === "ConfigMap" && o.metadata.name === name)!.data![key]!) as any;

/**
 * The external labels one pod of a Prometheus/PrometheusAgent object ends up with, as prometheus-operator
 * 0.93 builds them (pkg/prometheus/promcfg.go buildExternalLabels: `prometheus` = <namespace>/<name> unless
 * prometheusExternalLabelName is "", the replica label (default `prometheus_replica`) = $(POD_NAME), then
 * spec.externalLabels minus those reserved keys) and the config-reloader expands them ($(SHARD) from the
 * SHARD env var of the shard's StatefulSet, $(POD_NAME) from the pod; an unknown $(VAR) is an error).
 */
function operatorExternalLabels(prom: Obj, shard: number, replica: number): Record<string, string> {
  const spec = prom.spec;
  const prefix = prom.kind === "PrometheusAgent" ? "prom-agent" : "prometheus";
  const statefulSet = shard === 0 ? `${prefix}-${prom.metadata.name}` : `${prefix}-${prom.metadata.name}-shard-${shard}`;
  const pod = `${statefulSet}-${replica}`;
  const labels: Record<string, string> = {};
  const promLabel = spec.prometheusExternalLabelName ?? "prometheus";
  if (promLabel !== "") labels[promLabel] = `${prom.metadata.namespace}/${prom.metadata.name}`;
  const replicaLabel = spec.replicaExternalLabelName ?? "prometheus_replica";
  if (replicaLabel !== "") labels[replicaLabel] = "$(POD_NAME)";
  for (const [key, value] of Object.entries<string>(spec.externalLabels ?? {})) if (!(key in labels)) labels[key] = value;
  const env: Record<string, string> = { SHARD: String(shard), POD_NAME: pod };
  return Object.fromEntries(
    Object.entries(labels).map(([key, value]) => [
      key,
      value.replace(/\$\(([A-Z_]+)\)/g, (_, name: string) => {
        if (!(name in env)) throw new Error(`config-reloader cannot expand $(${name})`);
        return env[name]!;
      }),
    ]),
  );
}

describe("HA de-duplication of the Prometheus shards", () => {
  it.each(["prod", "dev", "local"])("%s: Mimir sees one HA cluster per shard and one replica per pod", (env) => {
    const proms = [...ofKind(env, "Prometheus"), ...ofKind(env, "PrometheusAgent")];
    expect(proms).toHaveLength(1);
    const prom = proms[0]!;
    const shards: number = prom.spec.shards ?? 1;
    const replicas: number = prom.spec.replicas ?? 1;
    const runtime = configMapDoc(env, "mimir-runtime", "runtime.yaml");
    const mimir = configMapDoc(env, "mimir-config", "mimir.yaml");
    expect(mimir.distributor.ha_tracker).toEqual({ enable_ha_tracker: true, kvstore: { store: "memberlist" } });

    // The tenant the shards write as accepts HA samples and reads the labels the shards carry.
    const tenant = runtime.overrides.single;
    expect(tenant).toMatchObject({ accept_ha_samples: true });
    const clusterLabel: string = tenant.ha_cluster_label;
    const replicaLabel: string = tenant.ha_replica_label;

    const clusterOfShard = new Map<number, Set<string>>();
    for (let shard = 0; shard < shards; shard++) {
      const seenReplicas = new Set<string>();
      const clusters = new Set<string>();
      for (let replica = 0; replica < replicas; replica++) {
        const labels = operatorExternalLabels(prom, shard, replica);
        expect(labels[clusterLabel], `shard ${shard} replica ${replica} has no ${clusterLabel}`).toBeDefined();
        expect(labels[replicaLabel], `shard ${shard} replica ${replica} has no ${replicaLabel}`).toBeDefined();
        clusters.add(labels[clusterLabel]!);
        seenReplicas.add(labels[replicaLabel]!);
        // `cluster` keeps meaning the Kubernetes cluster (dashboards and alerts group by it).
        expect(labels.cluster).toBe(prom.spec.externalLabels.cluster);
      }
      expect(clusters.size, `replicas of shard ${shard} must share one HA cluster`).toBe(1);
      expect(seenReplicas.size, `replicas of shard ${shard} must differ`).toBe(replicas);
      clusterOfShard.set(shard, clusters);
    }
    const distinct = new Set([...clusterOfShard.values()].map((set) => [...set][0]));
    expect(distinct.size, "every shard must be its own HA cluster, or Mimir drops all but one shard").toBe(shards);
  });

  it("prod runs 4 shards x 2 replicas", () => {
    const prom = ofKind("prod", "Prometheus")[0]!;
    expect([prom.spec.shards, prom.spec.replicas]).toEqual([4, 2]);
  });

  it("the operator's shared `prometheus` label would have merged all shards (the test can fail)", () => {
    const prom = structuredClone(ofKind("prod", "Prometheus")[0]!);
    delete prom.spec.prometheusExternalLabelName;
    const values = new Set([0, 1, 2, 3].map((shard) => operatorExternalLabels(prom, shard, 0).prometheus));
    expect(values.size).toBe(1);
  });
});

describe("Prometheus shards", () => {
  it("remote-write to the gateway's push endpoint with a token from a Secret", () => {
    for (const env of ["prod", "dev"]) {
      const prom = ofKind(env, "Prometheus")[0]!;
      const [rw] = prom.spec.remoteWrite;
      // mTLS (security.mtls on in dev and prod): the gateway's TLS port with the shards' client certificate.
      expect(rw.url).toBe("https://gateway.mimir.svc.cluster.local:443/api/v1/push");
      expect(rw.tlsConfig.cert).toEqual({ secret: { name: "prometheus-platform-client-tls", key: "tls.crt" } });
      expect(rw.authorization).toEqual({ type: "Bearer", credentials: { name: "prometheus-remote-write-token", key: "token" } });
      const secret = objects(env).find((o) => o.kind === "ExternalSecret" && o.metadata.name === "prometheus-remote-write-token");
      expect(secret?.spec.data).toEqual([{ secretKey: "token", remoteRef: { key: `observability/${env}/gateway-tokens`, property: "single" } }]);
      expect(objects(env).some((o) => o.kind === "Secret" && o.metadata.name === "prometheus-remote-write-token")).toBe(false);
    }
  });

  it("local: a PrometheusAgent with the dev-only token Secret, marked", () => {
    const agent = ofKind("local", "PrometheusAgent")[0]!;
    expect(agent.apiVersion).toBe("monitoring.coreos.com/v1alpha1");
    const secret = objects("local").find((o) => o.kind === "Secret" && o.metadata.name === "prometheus-remote-write-token")!;
    expect(secret.metadata.labels).toMatchObject({ "observability-platform/dev-only": "true" });
    expect(secret.stringData?.token).toBe("dev-token-single-0000000001");
    // No mTLS locally: plaintext to the gateway, no client certificate.
    expect(agent.spec.remoteWrite[0].url).toBe("http://gateway.mimir.svc.cluster.local:80/api/v1/push");
    expect(agent.spec.remoteWrite[0].tlsConfig).toBeUndefined();
  });

  it("evaluate recording rules only, from opted-in namespaces", () => {
    const prom = ofKind("prod", "Prometheus")[0]!;
    expect(prom.spec.ruleSelector).toEqual({ matchLabels: { "monitoring.grafana.com/rule-type": "recording" } });
    for (const key of ["ruleNamespaceSelector", "podMonitorNamespaceSelector", "serviceMonitorNamespaceSelector", "probeNamespaceSelector"]) {
      expect(prom.spec[key], key).toEqual({ matchLabels: { "monitoring.grafana.com/enabled": "true" } });
    }
  });

  it("discover with read-only RBAC, no wildcards", () => {
    const role = ofKind("prod", "ClusterRole").find((o) => o.metadata.name === "mimir-prometheus") as any;
    for (const rule of role.rules) {
      expect(rule.verbs).toEqual(["get", "list", "watch"]);
      expect(rule.resources).not.toContain("*");
      expect(rule.apiGroups).not.toContain("*");
    }
  });

  it("have a PDB over all their pods", () => {
    const pdb = ofKind("prod", "PodDisruptionBudget").find((o) => o.metadata.name === "prometheus-platform")!;
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { "operator.prometheus.io/name": "platform" } } });
  });
});

describe("monitors and metrics coverage", () => {
  const envFiles = (env: string, edit: (objs: Obj[]) => Obj[] = (o) => o) => [{ file: `dist/${env}/all.yaml`, objects: edit(objects(env)) }];

  it.each(["prod", "dev", "local"])("%s: every metrics port is scraped and every monitor has pods", (env) => {
    expect(checkMetricsCoverage(envFiles(env))).toEqual([]);
  });

  it("reports an unmonitored metrics port (the check can fail)", () => {
    const problems = checkMetricsCoverage(envFiles("prod", (objs) => objs.filter((o) => o.metadata.name !== "platform-components")));
    const objectsReported = new Set(problems.map((p) => p.object));
    for (const name of ["Deployment/distributor", "StatefulSet/ingester-zone-a", "Deployment/gateway", "Deployment/rollout-operator"]) {
      expect(objectsReported, name).toContain(name);
    }
    expect(problems[0]!.message).toMatch(/container port "http-metrics" \(\d+\) serves metrics, but no PodMonitor or ServiceMonitor/);
  });

  it("reports a dead monitor", () => {
    const dead: Obj = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "nowhere", namespace: "mimir" },
      spec: { namespaceSelector: { matchNames: ["elsewhere"] }, selector: {}, podMetricsEndpoints: [{ port: "http-metrics" }] },
    };
    expect(checkMetricsCoverage(envFiles("prod", (objs) => [...objs, dead]))).toEqual([
      { file: "dist/prod/all.yaml", object: "PodMonitor/nowhere", path: "spec.selector", message: "dead monitor: no pod template in elsewhere in this environment" },
    ]);
  });

  it("checks nothing where nothing collects (dr)", () => {
    expect(ofKind("dr", "Prometheus")).toEqual([]);
    expect(checkMetricsCoverage(envFiles("dr"))).toEqual([]);
  });

  it("job is <namespace>/<component>: zone-aware ingesters are one job", () => {
    const monitor = ofKind("prod", "PodMonitor").find((o) => o.metadata.name === "platform-components")!;
    const [job] = monitor.spec.podMetricsEndpoints[0].relabelings;
    expect(job).toMatchObject({
      sourceLabels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_app_kubernetes_io_component"],
      separator: "/",
      targetLabel: "job",
    });
    const ingesters = ofKind("prod", "StatefulSet").filter((o) => o.metadata.name.startsWith("ingester-zone-"));
    expect(ingesters).toHaveLength(3);
    for (const ingester of ingesters) expect(ingester.spec.template.metadata.labels["app.kubernetes.io/component"]).toBe("ingester");
  });

  it("the platform namespace opts in", () => {
    const ns = ofKind("prod", "Namespace").find((o) => o.metadata.name === "mimir")!;
    expect(ns.metadata.labels).toMatchObject({ "monitoring.grafana.com/enabled": "true" });
  });
});

describe("relabelings as Prometheus reads them", () => {
  it("pass promtool check config (policy scrape class and annotation scraping)", () => {
    const promtool = spawnSync("promtool", ["--version"], { encoding: "utf8" });
    if (promtool.status !== 0) {
      if (isCi()) throw new Error("promtool is required under CI");
      console.warn("promtool not installed: skipping the promtool check");
      return;
    }
    const snake = (rules: any[]) =>
      rules.map((r) => ({
        source_labels: r.sourceLabels,
        separator: r.separator,
        regex: r.regex,
        target_label: r.targetLabel,
        replacement: r.replacement,
        action: r.action,
      }));
    const prom = ofKind("prod", "Prometheus")[0]!;
    const policy = prom.spec.scrapeClasses[0].relabelings;
    const annotated = ofKind("prod", "ScrapeConfig").find((o) => o.metadata.name === "annotated-pods")!;
    const monitor = ofKind("prod", "PodMonitor").find((o) => o.metadata.name === "platform-components")!;
    // Debian's promtool is built without Kubernetes service discovery: static targets stand in, the
    // relabel rules (what is checked here) are the same.
    const config = {
      global: { scrape_interval: prom.spec.scrapeInterval, scrape_timeout: prom.spec.scrapeTimeout, external_labels: { cluster: "primary", prometheus_shard: "primary/mimir/platform/shard-0" } },
      scrape_configs: [
        { job_name: "annotated", static_configs: [{ targets: ["localhost:9090"] }], relabel_configs: JSON.parse(JSON.stringify(snake([...policy, ...annotated.spec.relabelings]))) },
        { job_name: "platform", static_configs: [{ targets: ["localhost:9090"] }], relabel_configs: JSON.parse(JSON.stringify(snake([...policy, ...monitor.spec.podMetricsEndpoints[0].relabelings]))) },
      ],
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), "collection-promtool-"));
    try {
      const file = path.join(dir, "prometheus.yml");
      writeFileSync(file, dump(config));
      const result = spawnSync("promtool", ["check", "config", "--syntax-only", file], { encoding: "utf8" });
      expect(result.status, result.stdout + result.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
