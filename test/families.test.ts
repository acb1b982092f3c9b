/**
 * The family wiring: builders run in FAMILIES order on one shared context, references flow only
 * forward, Services are addressed through their references, and cdk8s L1 props never receive
 * conditional spreads (cdk8s drops unknown keys silently, which is how headless Services lost
 * their clusterIP).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../src/config/load.js";
import { service } from "../src/lib/service.js";
import { dnsDiscoveryAddress, hostPort, srvDiscoveryUrl } from "../src/lib/service-ref.js";
import { FAMILIES } from "../src/synth/families.js";
import { LAYERS, type Family } from "../src/synth/family.js";
import { buildPlatform } from "../src/synth/platform.js";
import { REPO_ROOT } from "./helpers/cli.js";

const localText = readFileSync(path.join(REPO_ROOT, "overlays/local/config.yaml"), "utf8");
const local = parsePlatformConfig(localText, "overlays/local/config.yaml", "local").config!;

describe("service references", () => {
  const chart = new Chart(Testing.app(), "test", { namespace: "obs" });
  const headless = service(chart, { name: "cache", labels: {}, selector: { app: "cache" }, headless: true, ports: [{ name: "client", port: 11211 }] });
  const plain = service(chart, { name: "api", labels: {}, selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: "web" }] });
  const manifests = Testing.synth(chart) as any[];

  it("renders clusterIP None for a headless Service and a ClusterIP otherwise", () => {
    expect(manifests.find((m) => m.metadata.name === "cache").spec.clusterIP).toBe("None");
    expect(manifests.find((m) => m.metadata.name === "api").spec).not.toHaveProperty("clusterIP");
  });

  it("derives addresses from the reference: fqdn, named ports, discovery only on headless Services", () => {
    expect(headless.fqdn).toBe("cache.obs.svc.cluster.local");
    expect(hostPort(plain, "http")).toBe("api.obs.svc.cluster.local:80");
    expect(dnsDiscoveryAddress(headless, "client")).toBe("dns+cache.obs.svc.cluster.local.:11211");
    expect(() => dnsDiscoveryAddress(plain, "http")).toThrow(/must be headless/);
    expect(() => srvDiscoveryUrl(plain, "http", "/x")).toThrow(/must be headless/);
    expect(() => hostPort(plain, "grpc")).toThrow(/no port named "grpc"/);
  });
});

describe("family builders", () => {
  it("registers every family once, each in a known layer", () => {
    const names = FAMILIES.map((family) => family.name);
    expect(new Set(names).size).toBe(names.length);
    for (const family of FAMILIES) expect(LAYERS).toContain(family.layer);
  });

  it("fails loudly when a family needs a reference no earlier family published", () => {
    const reordered = [...FAMILIES].sort((a) => (a.name === "gateway" ? -1 : 0));
    expect(() => buildPlatform({ config: local, warnings: [] }, reordered)).toThrow(/family gateway needs "mimir", which no earlier family/);
  });

  it("refuses a second publication of the same reference", () => {
    const twice: Family = { name: "twice", layer: "workloads", build: (ctx) => ctx.publish("gateway", ctx.need("gateway")) };
    expect(() => buildPlatform({ config: local, warnings: [] }, [...FAMILIES, twice])).toThrow(/publishes "gateway", which another family already published/);
  });

  it("builds one chart per output file; a family with nothing to do adds none", () => {
    const { app } = buildPlatform({ config: local, warnings: [] });
    const files = app.charts.map((chart) => chart.node.id);
    expect(new Set(files).size).toBe(files.length);
    // Local has no zones, so the rollout-operator family creates nothing.
    expect(files).not.toContain("rollout-operator");
    expect(files).toEqual(expect.arrayContaining(["cluster", "minio", "mimir", "gateway", "results-cache"]));
  });
});

/** Source files that construct cdk8s L1 objects (k8s.Kube*, imported CRD classes). */
function l1Sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return l1Sources(full);
    if (!entry.endsWith(".ts")) return [];
    const text = readFileSync(full, "utf8");
    return /imports\/k8s\.js|from "\.\.\/\.\.\/imports\//.test(text) ? [full] : [];
  });
}

describe("cdk8s L1 props", () => {
  it("never receive conditional object spreads (cdk8s drops unknown keys: pass undefined instead)", () => {
    const offenders: string[] = [];
    for (const file of l1Sources(path.join(REPO_ROOT, "src"))) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/\.\.\.\(\s*[^()]*?\?\s*\{[^]*?:\s*\{\s*\}\s*\)/g)) {
        const line = text.slice(0, match.index).split("\n").length;
        offenders.push(`${path.relative(REPO_ROOT, file)}:${line}: ${match[0].split("\n")[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe("each family on its own", () => {
  const prodText = readFileSync(path.join(REPO_ROOT, "overlays/prod/config.yaml"), "utf8");
  const prod = parsePlatformConfig(prodText, "overlays/prod/config.yaml", "prod").config!;
  const objectsOf = (families: readonly Family[], config = local) =>
    buildPlatform({ config, warnings: [] }, families).app.charts.flatMap((chart) => chart.toJson() as any[]);

  it("memcached: one headless StatefulSet per enabled cache, published as dns+ addresses with the item size", async () => {
    const { cachesFamily } = await import("../src/memcached/family.js");
    let published: any;
    const spy: Family = { name: "spy", layer: "workloads", build: (ctx) => (published = ctx.need("caches")) };
    const objects = objectsOf([cachesFamily, spy]);
    // local disables the index cache.
    expect(Object.keys(published).sort()).toEqual(["chunks", "metadata", "results"]);
    expect(published.results).toMatchObject({ addresses: "dns+results-cache.mimir.svc.cluster.local.:11211", maxItemSizeBytes: 5 * 1024 * 1024 });
    for (const name of ["results-cache", "chunks-cache", "metadata-cache"]) {
      const sts = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === name);
      expect(objects.find((o) => o.kind === "Service" && o.metadata.name === sts.spec.serviceName).spec.clusterIP).toBe("None");
    }
  });

  it("mimir: builds against whatever earlier families published (no caches → no cache clients)", async () => {
    const { mimirFamily } = await import("../src/mimir/family.js");
    const { s3StorageFor } = await import("../src/mimir/mimir-config.js");
    const infra = { region: "eu-west-1", mimirBucket: "b", kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k", mimirRoleArn: "arn:aws:iam::1:role/r", componentRoleArns: {}, exporterRoleArns: {}, availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] } as any;
    const stub: Family = {
      name: "stub",
      layer: "storage",
      build: (ctx) => {
        ctx.publish("objectStorage", s3StorageFor(prod, infra));
        ctx.publish("caches", {});
      },
    };
    const objects = buildPlatform({ config: prod, infra, warnings: [] }, [stub, mimirFamily]).app.charts.flatMap((c) => c.toJson() as any[]);
    const { load } = await import("js-yaml");
    const mimirYaml = load(objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "mimir-config").data["mimir.yaml"]) as any;
    expect(mimirYaml.frontend).not.toHaveProperty("results_cache");
    expect(mimirYaml.blocks_storage.bucket_store).not.toHaveProperty("chunks_cache");
    expect(mimirYaml.frontend.scheduler_address).toBe("query-scheduler-headless.mimir.svc.cluster.local:9095");
    expect(mimirYaml.memberlist.join_members).toEqual(["dns+gossip-ring.mimir.svc.cluster.local.:7946"]);
  });
});
