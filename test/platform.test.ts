import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { load, loadAll } from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { diffTrees, formatDiff, isEmpty, readTree } from "../src/diff/semantic-diff.js";
import { durationToSeconds } from "../src/config/primitives.js";
import { synthesizeAll, type SynthOutcome } from "../src/synth/pipeline.js";
import { REPO_ROOT } from "./helpers/cli.js";
import { findNginx, isCi, testConfig } from "./helpers/nginx.js";
import { forAmtool } from "./helpers/amtool.js";
import { envFile } from "./helpers/env-objects.js";

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

let outcome: SynthOutcome;
beforeAll(() => {
  outcome = synthesizeAll({ root: REPO_ROOT, envs: [] });
});

function objects(env: string): K8sObject[] {
  const all: K8sObject[] = [];
  for (const [file, text] of outcome.files) {
    if (file.startsWith(`dist/${env}/`) && !file.endsWith("kustomization.yaml")) {
      all.push(...(loadAll(text) as K8sObject[]));
    }
  }
  return all;
}
const find = (env: string, kind: string, name: string) =>
  objects(env).find((o) => o.kind === kind && o.metadata.name === name);
const workloads = (env: string) => objects(env).filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
const mimirYaml = (env: string) => load(find(env, "ConfigMap", "mimir-config")!.data!["mimir.yaml"]!) as any;
const mainContainer = (workload: K8sObject) => workload.spec.template.spec.containers[0];

describe("golden files", () => {
  it("committed dist/, argocd/ and flux/ equal a fresh synth (run `npm run synth` and review the diff if not)", async () => {
    const committed = await readTree(REPO_ROOT, ["dist", "argocd", "flux"]);
    const report = diffTrees(committed, outcome.files);
    expect(isEmpty(report), formatDiff(report)).toBe(true);
  });

  it("is byte-identical across runs", () => {
    const again = synthesizeAll({ root: REPO_ROOT, envs: [] });
    expect([...again.files.entries()]).toEqual([...outcome.files.entries()]);
  });

  it("kubectl kustomize builds every environment", () => {
    for (const env of ["local", "dev", "prod", "dr"]) {
      const result = spawnSync("kubectl", ["kustomize", path.join(REPO_ROOT, "dist", env)], { encoding: "utf8" });
      expect(result.status, `${env}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toContain("kind: ConfigMap");
    }
  });
});

describe("Mimir microservices (prod)", () => {
  it("runs every classic component and no Kafka", () => {
    // Mimir and what serves it directly; collection, Grafana and the rest are tested with their families.
    const names = workloads("prod")
      .filter((w) => ["mimir", "memcached", "rollout-operator", "gateway"].includes(w.metadata.labels?.["app.kubernetes.io/name"] ?? ""))
      .map((w) => `${w.kind}/${w.metadata.name}`)
      .sort();
    expect(names).toEqual(
      [
        "Deployment/distributor",
        "Deployment/gateway",
        "Deployment/overrides-exporter",
        "Deployment/querier",
        "Deployment/query-frontend",
        "Deployment/query-scheduler",
        "Deployment/rollout-operator",
        "Deployment/ruler",
        "StatefulSet/alertmanager",
        "StatefulSet/chunks-cache",
        "StatefulSet/compactor",
        "StatefulSet/index-cache",
        "StatefulSet/ingester-zone-a",
        "StatefulSet/ingester-zone-b",
        "StatefulSet/ingester-zone-c",
        "StatefulSet/metadata-cache",
        "StatefulSet/results-cache",
        "StatefulSet/store-gateway-zone-a",
        "StatefulSet/store-gateway-zone-b",
        "StatefulSet/store-gateway-zone-c",
      ].sort(),
    );
    expect(mimirYaml("prod").ingest_storage).toEqual({ enabled: false });
    expect(JSON.stringify(objects("prod"))).not.toMatch(/kafka/i);
  });

  it("spreads ingesters and store-gateways over the three Terraform zones, rolled out by the rollout-operator", () => {
    const zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
    for (const component of ["ingester", "store-gateway"]) {
      ["a", "b", "c"].forEach((letter, index) => {
        const sts = find("prod", "StatefulSet", `${component}-zone-${letter}`)!;
        expect(sts.spec.updateStrategy).toEqual({ type: "OnDelete" });
        expect(sts.spec.serviceName).toBe(`${component}-headless`);
        expect(sts.spec.template.metadata.labels).toMatchObject({ "rollout-group": component, zone: `zone-${letter}` });
        expect(sts.spec.template.spec.nodeSelector).toEqual({ "topology.kubernetes.io/zone": zones[index] });
        const flag = component === "ingester" ? "-ingester.ring.instance-availability-zone" : "-store-gateway.sharding-ring.instance-availability-zone";
        expect(mainContainer(sts).args).toContain(`${flag}=zone-${letter}`);
        if (index > 0) {
          expect(sts.metadata.annotations?.["grafana.com/rollout-downscale-leader"]).toBe(`${component}-zone-${"abc"[index - 1]}`);
        }
      });
      // ingester replicas: 12 in prod config → 4 per zone.
      if (component === "ingester") expect(find("prod", "StatefulSet", "ingester-zone-a")!.spec.replicas).toBe(4);
      // One zone at a time: a zone-aware budget over the rollout group, no plain PDB.
      const zpdb = find("prod", "ZoneAwarePodDisruptionBudget", `${component}-rollout`)!;
      expect(zpdb.spec.selector.matchLabels).toEqual({ "rollout-group": component });
      expect(find("prod", "PodDisruptionBudget", component)).toBeUndefined();
      // The governing Service is headless, or the StatefulSet pods get no stable DNS names.
      expect(find("prod", "Service", `${component}-headless`)!.spec.clusterIP).toBe("None");
    }
    const config = mimirYaml("prod");
    expect(config.ingester.ring.zone_awareness_enabled).toBe(true);
    expect(config.store_gateway.sharding_ring).toMatchObject({ zone_awareness_enabled: true, kvstore: { prefix: "multi-zone/" } });
  });

  it("stores blocks in the Terraform bucket with SSE-KMS and uses IRSA, never static keys", () => {
    const s3 = mimirYaml("prod").common.storage.s3;
    expect(s3).toEqual({
      bucket_name: "acme-obs-prod-mimir-metrics",
      endpoint: "s3.eu-west-1.amazonaws.com",
      region: "eu-west-1",
      sse: { type: "SSE-KMS", kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/3f1c2b7e-8a4d-4e6f-9b0a-5c7d1e2f3a4b" },
    });
    expect(find("prod", "ServiceAccount", "mimir")!.metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/acme-obs-prod-mimir",
    });
    // The compactor has its own role in the Terraform outputs, hence its own ServiceAccount.
    expect(find("prod", "StatefulSet", "compactor")!.spec.template.spec.serviceAccountName).toBe("mimir-compactor");
    const awsEnvs = [...outcome.files].filter(([file]) => !file.startsWith("dist/local/")).map(([, text]) => text);
    expect(awsEnvs.join("\n")).not.toMatch(/access_key_id|secret_access_key/);
  });

  it("never writes sensitive Terraform outputs or the legacy DynamoDB table", () => {
    const text = [...outcome.files.values()].join("\n");
    expect(text).not.toContain("fixture-not-a-real-password");
    expect(text).not.toContain("mimir-index");
  });

  it("gives every Mimir container the upstream args, ports, probes and a shutdown delay below the grace period", () => {
    for (const workload of workloads("prod").filter((w) => w.metadata.labels?.["app.kubernetes.io/name"] === "mimir")) {
      const container = mainContainer(workload);
      const pod = workload.spec.template.spec;
      expect(container.args.slice(0, 3)).toEqual([
        `-target=${container.name}`,
        "-config.expand-env=true",
        "-config.file=/etc/mimir/mimir.yaml",
      ]);
      expect(container.ports.map((p: any) => `${p.name}:${p.containerPort}`)).toEqual(
        expect.arrayContaining(["http-metrics:8080", "grpc:9095"]),
      );
      expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http-metrics" });
      expect(container.resources.limits.memory).toBeDefined();
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      const delay = container.args.find((a: string) => a.startsWith("-shutdown-delay="));
      if (delay) expect(durationToSeconds(delay.split("=")[1])).toBeLessThan(pod.terminationGracePeriodSeconds);
      const gossip = workload.metadata.labels?.["app.kubernetes.io/part-of"] === "memberlist";
      expect(container.ports.some((p: any) => p.containerPort === 7946)).toBe(gossip);
    }
  });

  it("puts a PDB on every workload and plain CPU/memory HPAs on distributor, querier and query-frontend", () => {
    const pdbs = objects("prod").filter((o) => o.kind === "PodDisruptionBudget" || o.kind === "ZoneAwarePodDisruptionBudget");
    for (const workload of workloads("prod")) {
      const labels = workload.spec.template.metadata.labels;
      const covered = pdbs.some((pdb) =>
        Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => labels[k] === v),
      );
      expect(covered, `${workload.metadata.name} has no PDB`).toBe(true);
    }
    const hpas = objects("prod").filter((o) => o.kind === "HorizontalPodAutoscaler");
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(["distributor", "gateway", "querier", "query-frontend"]);
    for (const hpa of hpas) {
      const target = find("prod", hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name)!;
      // The HPA owns replicas; a fixed count would be reset on every GitOps sync.
      expect(target.spec.replicas).toBeUndefined();
      expect(hpa.spec.metrics.map((m: any) => m.resource.name)).toContain("cpu");
    }
    expect(find("prod", "HorizontalPodAutoscaler", "distributor")!.spec).toMatchObject({ minReplicas: 3, maxReplicas: 15 });
  });

  it("wires each memcached cluster into mimir.yaml with max_item_size equal to the server's -I", () => {
    const config = mimirYaml("prod");
    const clients: Record<string, any> = {
      "results-cache": config.frontend.results_cache.memcached,
      "index-cache": config.blocks_storage.bucket_store.index_cache.memcached,
      "chunks-cache": config.blocks_storage.bucket_store.chunks_cache.memcached,
      "metadata-cache": config.blocks_storage.bucket_store.metadata_cache.memcached,
    };
    const expectedMemory = { "results-cache": 4096, "index-cache": 8192, "chunks-cache": 8192, "metadata-cache": 512 };
    for (const [name, client] of Object.entries(clients)) {
      const sts = find("prod", "StatefulSet", name)!;
      const args: string[] = sts.spec.template.spec.containers[0].args;
      const itemMb = Number(/^-I (\d+)m$/.exec(args.find((a) => a.startsWith("-I "))!)![1]);
      expect(client.max_item_size).toBe(itemMb * 1024 * 1024);
      // An absolute name resolved with A lookups: every pod of the headless Service, keys sharded client-side.
      expect(client.addresses).toBe(`dns+${name}.mimir.svc.cluster.local.:11211`);
      expect(find("prod", "Service", name)!.spec.clusterIP).toBe("None");
      expect(args).toContain(`-m ${expectedMemory[name as keyof typeof expectedMemory]}`);
      const exporter = sts.spec.template.spec.containers.find((c: any) => c.name === "exporter");
      expect(exporter.ports).toEqual([{ containerPort: 9150, name: "http-metrics", protocol: "TCP" }]);
    }
    expect(config.frontend.cache_results).toBe(true);
  });

  it("writes per-tenant limits to runtime.yaml and platform defaults to mimir.yaml", () => {
    const runtime = load(find("prod", "ConfigMap", "mimir-runtime")!.data!["runtime.yaml"]!) as any;
    expect(runtime.overrides["team-payments"]).toEqual({
      compactor_blocks_retention_period: "90d",
      ingestion_rate: 100000,
      ingestion_burst_size: 2000000,
      max_global_series_per_user: 2000000,
    });
    // The default tenant has no limits of its own; it receives the HA Prometheus pairs (src/collection/ha.ts).
    expect(runtime.overrides.single).toEqual({ accept_ha_samples: true, ha_cluster_label: "prometheus_shard", ha_replica_label: "__replica__" });
    expect(mimirYaml("prod").limits).toMatchObject({ compactor_blocks_retention_period: "400d", ingestion_rate: 50000 });
    expect(mimirYaml("prod").runtime_config.file).toBe("/var/mimir/runtime.yaml");
  });

  it("rolls pods when mimir.yaml changes (config hash on every Mimir pod template)", () => {
    const hashes = new Set(
      workloads("prod")
        .filter((w) => w.metadata.labels?.["app.kubernetes.io/name"] === "mimir")
        .map((w) => w.spec.template.metadata.annotations["observability-platform/config-hash"]),
    );
    expect(hashes.size).toBe(1);
    const devHash = workloads("dev").find((w) => w.metadata.name === "distributor")!.spec.template.metadata.annotations;
    expect(hashes.has(devHash["observability-platform/config-hash"])).toBe(false);
  });
});

describe("other environments", () => {
  it("dev runs microservices without zones", () => {
    expect(find("dev", "StatefulSet", "ingester")!.spec.replicas).toBe(3);
    expect(find("dev", "StatefulSet", "ingester-zone-a")).toBeUndefined();
    expect(find("dev", "Deployment", "rollout-operator")).toBeUndefined();
    expect(mimirYaml("dev").ingester.ring.zone_awareness_enabled).toBe(false);
  });

  it("dr runs only the read path (plus idle ingesters), against the replicated bucket in the DR region", () => {
    const names = workloads("dr")
      .filter((w) => w.metadata.labels?.["app.kubernetes.io/name"] === "mimir")
      .map((w) => w.metadata.name)
      .sort();
    expect(names).toEqual(["ingester", "querier", "query-frontend", "query-scheduler", "store-gateway"]);
    // Queries ending within query_ingesters_within ask the ingester ring: three idle ingesters keep a
    // read quorum at replication factor 3. Nothing writes to them: there is no distributor.
    expect(find("dr", "StatefulSet", "ingester")!.spec.replicas).toBe(3);
    expect(find("dr", "Deployment", "distributor")).toBeUndefined();
    const config = mimirYaml("dr");
    expect(config.common.storage.s3).toMatchObject({
      bucket_name: "acme-obs-prod-mimir-metrics-dr",
      region: "eu-central-1",
      endpoint: "s3.eu-central-1.amazonaws.com",
      sse: { type: "SSE-KMS", kms_key_id: expect.stringContaining(":eu-central-1:") },
    });
    expect(config.querier.query_store_after).toBe("0s");
    // A read-only cluster never updates its bucket index; during a prod outage it must keep answering.
    expect(config.blocks_storage.bucket_store.bucket_index.max_stale_period).toBe("8760h");
    // Data reaches the DR bucket hours late: never cache results that recent.
    expect(config.limits.max_cache_freshness).toBe("6h");
    expect(config.limits).not.toHaveProperty("ruler_alertmanager_client_config");
  });

  it("local runs Mimir as one process with the alertmanager on MinIO, dev-only credentials marked", () => {
    const mimir = find("local", "StatefulSet", "mimir")!;
    // -target=all has no alertmanager; the ruler and the gateway's Alertmanager routes need one.
    expect(mainContainer(mimir).args[0]).toBe("-target=all,alertmanager");
    const config = mimirYaml("local");
    // No scheduler address: the frontend and querier then use the in-process scheduler.
    expect(config.frontend.scheduler_address).toBeUndefined();
    expect(config.frontend_worker.scheduler_address).toBeUndefined();
    expect(config.limits.ruler_alertmanager_client_config.alertmanager_url).toBe("http://mimir.mimir.svc.cluster.local:8080/alertmanager");
    expect(config.alertmanager.sharding_ring.replication_factor).toBe(1);
    expect(mainContainer(mimir).envFrom).toEqual([{ secretRef: { name: "minio-credentials" } }]);
    const secret = find("local", "Secret", "minio-credentials")!;
    expect(secret.metadata.annotations?.["observability-platform/dev-only-reason"]).toMatch(/^DEV ONLY/);
    const s3 = mimirYaml("local").common.storage.s3;
    expect(s3).toMatchObject({ endpoint: "minio.mimir.svc.cluster.local:9000", bucket_name: "mimir", insecure: true });
    expect(config.alertmanager_storage).toEqual({ backend: "s3", storage_prefix: "alertmanager" });
    expect(s3.access_key_id).toBe("${MINIO_ROOT_USER}");
    expect(find("local", "Job", "minio-create-buckets")).toBeDefined();
    expect(mimirYaml("local").ingester.ring.replication_factor).toBe(1);
  });

  it("the Alertmanager fallback config passes amtool check-config", () => {
    const amtool = spawnSync("amtool", ["--version"], { encoding: "utf8" });
    if (amtool.error) {
      if (process.env.CI) throw new Error("amtool is required in CI (apt-get install prometheus-alertmanager)");
      console.warn("NOTICE: amtool not installed; skipping the fallback-config check");
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), "amtool-"));
    try {
      const file = path.join(dir, "fallback.yaml");
      writeFileSync(file, forAmtool(find("prod", "ConfigMap", "alertmanager-fallback-config")!.data!["alertmanager_fallback_config.yaml"]!));
      const result = spawnSync("amtool", ["check-config", file], { encoding: "utf8" });
      expect(result.status, result.stdout + result.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// GitOps trees (argocd/, flux/): test/gitops.test.ts.

describe("gateway in dist/", () => {
  const nginxConf = (env: string) => find(env, "ConfigMap", "gateway-nginx")!.data!["nginx.conf"]!;

  it("every environment's committed nginx.conf passes nginx -t (only file paths and the resolver adapted)", async () => {
    const bin = findNginx();
    if (!bin) {
      if (isCi()) throw new Error("nginx is required in CI");
      console.warn("NOTICE: nginx not installed; skipping nginx -t of the synthesized gateway configs");
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), "gateway-dist-"));
    try {
      writeFileSync(path.join(dir, "tokens.map"), '"tok-0000000000000000" single;\n');
      // mTLS (security.mtls): a throwaway key pair stands in for cert-manager's Secret.
      mkdirSync(path.join(dir, "tls"));
      spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "tls.key", "-out", "tls.crt", "-days", "1", "-subj", "/CN=gateway"], { cwd: path.join(dir, "tls") });
      copyFileSync(path.join(dir, "tls", "tls.crt"), path.join(dir, "tls", "ca.crt"));
      for (const env of ["local", "dev", "prod", "dr"]) {
        const conf = nginxConf(env)
          .replaceAll(" /tmp/", ` ${dir}/`)
          .replaceAll("/etc/nginx/tenants/tokens.map", path.join(dir, "tokens.map"))
          .replaceAll("/etc/nginx/tls/", `${path.join(dir, "tls")}/`)
          .replace(/resolver \S+ /, "resolver 127.0.0.1 ");
        const file = path.join(dir, `${env}.conf`);
        writeFileSync(file, conf);
        const result = await testConfig(bin, dir, file);
        expect(result.ok, `${env}: ${result.output}`).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("routes only what exists: DR has no write, ruler or Alertmanager routes", () => {
    expect(nginxConf("prod")).toContain("location = /api/v1/push {");
    expect(nginxConf("dr")).not.toContain("/api/v1/push");
    expect(nginxConf("dr")).not.toContain("alertmanager");
    expect(nginxConf("dr")).toContain("location /prometheus {");
    expect(nginxConf("local")).toContain("set $upstream_distributor http://mimir.mimir.svc.cluster.local:8080;");
  });

  it("takes tokens from the secret store outside local and never writes a token value", () => {
    for (const env of ["dev", "prod", "dr"]) {
      expect(find(env, "ExternalSecret", "gateway-tokens")).toBeDefined();
      expect(find(env, "Secret", "gateway-tokens")).toBeUndefined();
    }
    const local = find("local", "Secret", "gateway-tokens")!;
    expect(JSON.stringify(local.metadata)).toMatch(/dev-only/i);
  });
});

describe("IRSA roles per component", () => {
  it("gives a component listed under its Terraform key its own annotated ServiceAccount", async () => {
    const { readFileSync, writeFileSync } = await import("node:fs");
    const { scratchRepo } = await import("./helpers/cli.js");
    const scratch = scratchRepo();
    try {
      const file = path.join(scratch.root, "overlays/prod/terraform-outputs.json");
      const outputs = JSON.parse(readFileSync(file, "utf8"));
      outputs.component_irsa_role_arns.value.store_gateway = "arn:aws:iam::123456789012:role/acme-obs-prod-mimir-store-gateway";
      writeFileSync(file, JSON.stringify(outputs));
      const files = synthesizeAll({ root: scratch.root, envs: ["prod"] }).files;
      const docs = loadAll(envFile(files, "prod", "store-gateway")!) as K8sObject[];
      const account = docs.find((o) => o.kind === "ServiceAccount")!;
      expect(account.metadata).toMatchObject({
        name: "mimir-store-gateway",
        annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/acme-obs-prod-mimir-store-gateway" },
      });
      for (const sts of docs.filter((o) => o.kind === "StatefulSet")) {
        expect(sts.spec.template.spec.serviceAccountName).toBe("mimir-store-gateway");
      }
    } finally {
      scratch.cleanup();
    }
  });
});
