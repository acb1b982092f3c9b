import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { load, loadAll } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { parseInfraOutputs } from "../src/config/infra-outputs.js";
import { synthesizeAll } from "../src/synth/pipeline.js";
import { formatProblem } from "../src/validate/problem.js";
import { REPO_ROOT, scratchRepo } from "./helpers/cli.js";
import { configProblems } from "./helpers/config-problems.js";
import { envFile } from "./helpers/env-objects.js";

const FILE = "overlays/prod/config.yaml";
const prodText = readFileSync(path.join(REPO_ROOT, FILE), "utf8");
const scratch = scratchRepo();
afterAll(() => scratch.cleanup());
const problemsFor = (edit: (config: Record<string, any>) => void) => configProblems(scratch.root, FILE, edit);

describe("collection config validation", () => {
  it.each([
    ["unknown class in the interval budget", (c: any) => (c.collection.scrapeIntervals.batch = "5m"), `${FILE}: collection.scrapeIntervals.batch: unknown field`],
    ["unknown default class", (c: any) => (c.collection.defaultClass = "batch"), `${FILE}: collection.defaultClass: Invalid option: expected one of "app"|"infra"|"noisy"`],
    ["interval not a duration", (c: any) => (c.collection.scrapeIntervals.app = "30 seconds"), `${FILE}: collection.scrapeIntervals.app: must be a duration such as 30s, 15m, 12h or 15d`],
    ["interval below the scrape timeout", (c: any) => (c.collection.scrapeIntervals.app = "5s"), `${FILE}: collection.scrapeIntervals.app: must be at least the 10s scrape timeout (got 5s)`],
    ["zero shards", (c: any) => (c.collection.prometheus.shards = 0), `${FILE}: collection.prometheus.shards: must be >= 1: at least one shard must scrape the targets`],
    ["fractional replicas", (c: any) => (c.collection.prometheus.replicas = 1.5), `${FILE}: collection.prometheus.replicas: must be a whole number`],
    [
      "probe target not a URL",
      (c: any) => (c.collection.probes = [{ name: "grafana", target: "grafana.example.com/login" }]),
      `${FILE}: collection.probes[0].target: must be an http(s) URL for module http_2xx (got "grafana.example.com/login")`,
    ],
    ["tcp probe target without a port", (c: any) => (c.collection.probes = [{ name: "db", target: "db.example.com", module: "tcp_connect" }]), `${FILE}: collection.probes[0].target: must be host:port for module tcp_connect`],
    ["unknown probe module", (c: any) => (c.collection.probes = [{ name: "ping", target: "https://x.example.com", module: "icmp" }]), `${FILE}: collection.probes[0].module: Invalid option: expected one of "http_2xx"|"http_post_2xx"|"tcp_connect"`],
    ["agent outside local", (c: any) => (c.collection.prometheus.kind = "PrometheusAgent"), `${FILE}: collection.prometheus.retention: a PrometheusAgent keeps only a WAL; retention applies to kind Prometheus`],
    ["no token for the default tenant", (c: any) => (c.gateway.tokens = c.gateway.tokens.filter((t: any) => t.tenant !== "single")), `${FILE}: collection.prometheus: writes as defaultTenant "single", but gateway.tokens has no token for that tenant`],
    ["unknown field", (c: any) => (c.collection.prometheus.shard = 2), `${FILE}: collection.prometheus.shard: unknown field`],
    ["exporter settings without a Prometheus", (c: any) => (delete c.collection.prometheus, (c.collection.probes = []), (c.collection.exporters = { blackbox: { replicas: 3 } })), `${FILE}: collection.exporters: has no effect without collection.prometheus (nothing in this environment scrapes or forwards)`],
  ])("rejects %s with file and field path, writing nothing", async (_name, edit, expected) => {
    expect(await problemsFor(edit)).toContain(expected);
  });
});

describe("remote write to Amazon Managed Prometheus", () => {
  const OUT = "overlays/prod/terraform-outputs.json";
  const outputsText = readFileSync(path.join(REPO_ROOT, OUT), "utf8");
  const toAmp = (c: any) => {
    c.collection.remoteWrite = { backend: "amp" };
    c.collection.prometheus.shards = 1;
    c.collection.exporters = { otelCollector: { enabled: false } };
  };

  it("names the missing Terraform outputs, writing nothing", async () => {
    expect(await problemsFor(toAmp)).toEqual([
      `${OUT}: amp_workspace_url: required output is missing: ${FILE} sets collection.remoteWrite.backend amp`,
      `${OUT}: amp_region: required output is missing: ${FILE} sets collection.remoteWrite.backend amp`,
      `${OUT}: amp_remote_write_role_arn: required output is missing: ${FILE} sets collection.remoteWrite.backend amp`,
    ]);
  });

  it.each([
    ["sharded HA pairs", (c: any) => { toAmp(c); c.collection.prometheus.shards = 4; }, /collection.remoteWrite.backend: AMP de-duplicates HA pairs by the `cluster` label/],
    ["the OTel collector still writing to the gateway", (c: any) => { toAmp(c); c.collection.exporters = {}; }, /collection.exporters.otelCollector.enabled: the collector sends OTLP metrics to the gateway/],
  ])("rejects %s", async (_name, edit, expected) => {
    expect((await problemsFor(edit)).some((line) => expected.test(line))).toBe(true);
  });

  it("writes with SigV4 through the IRSA role, no token, no Mimir HA tracker", () => {
    const outputs = JSON.parse(outputsText);
    outputs.amp_workspace_url = { sensitive: false, type: "string", value: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-4567/" };
    outputs.amp_region = { sensitive: false, type: "string", value: "eu-west-1" };
    outputs.amp_remote_write_role_arn = { sensitive: false, type: "string", value: "arn:aws:iam::123456789012:role/acme-obs-prod-amp-writer" };
    const config = load(prodText) as Record<string, any>;
    toAmp(config);
    writeFileSync(path.join(scratch.root, FILE), JSON.stringify(config));
    writeFileSync(path.join(scratch.root, OUT), JSON.stringify(outputs));
    try {
      const files = synthesizeAll({ root: scratch.root, envs: ["prod"] }).files;
      const objs = loadAll(envFile(files, "prod", "prometheus")!) as any[];
      const prom = objs.find((o) => o.kind === "Prometheus");
      expect(prom.spec.remoteWrite).toEqual([
        expect.objectContaining({
          name: "amp",
          url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-4567/api/v1/remote_write",
          sigv4: { region: "eu-west-1" },
        }),
      ]);
      expect(prom.spec.remoteWrite[0].authorization).toBeUndefined();
      const sa = objs.find((o) => o.kind === "ServiceAccount");
      expect(sa.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/acme-obs-prod-amp-writer" });
      expect(objs.some((o) => o.kind === "ExternalSecret")).toBe(false);
      expect(envFile(files, "prod", "otel-collector") !== undefined).toBe(false);
      const mimir = load((loadAll(envFile(files, "prod", "mimir-config")!) as any[]).find((o) => o.metadata.name === "mimir-config").data["mimir.yaml"]) as any;
      expect(mimir.distributor.ha_tracker).toBeUndefined();
    } finally {
      writeFileSync(path.join(scratch.root, FILE), prodText);
      writeFileSync(path.join(scratch.root, OUT), outputsText);
    }
  });

  it("rejects a workspace URL that is not one", () => {
    const outputs = JSON.parse(outputsText);
    outputs.amp_workspace_url = { sensitive: false, type: "string", value: "https://example.com/prometheus" };
    const { problems } = parseInfraOutputs(JSON.stringify(outputs), OUT);
    expect(problems.map(formatProblem)).toEqual([
      `${OUT}: amp_workspace_url.value: must be an AMP workspace URL such as https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234abcd/`,
    ]);
  });
});
