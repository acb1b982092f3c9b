import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseInfraOutputs } from "../src/config/infra-outputs.js";
import { parsePlatformConfig } from "../src/config/load.js";
import { REPO_ROOT, runCli, scratchRepo } from "./helpers/cli.js";
import { configProblems } from "./helpers/config-problems.js";
import { readTree } from "../src/diff/semantic-diff.js";

const FILE = "overlays/prod/config.yaml";
const prodText = readFileSync(path.join(REPO_ROOT, FILE), "utf8");
const prodOutputs = readFileSync(path.join(REPO_ROOT, "overlays/prod/terraform-outputs.json"), "utf8");

const scratch = scratchRepo();
afterAll(() => scratch.cleanup());
/** The prod config edited by `edit` must fail synth, leaving the outputs untouched; its problems as text. */
const problemsFor = (edit: (config: Record<string, any>) => void): Promise<string[]> => configProblems(scratch.root, FILE, edit);

describe("config.yaml validation", () => {
  it("accepts the committed example and fills derived defaults", () => {
    const { config, problems } = parsePlatformConfig(prodText, FILE, "prod");
    expect(problems).toEqual([]);
    expect(config?.grafanaRootUrl).toBe("https://grafana.obs.acme.example");
    expect(config?.runbookBaseUrl).toBe("https://runbooks.obs.acme.example");
    expect(config?.defaultTenant).toBe("single");
  });

  it("applies the documented defaults when settings are omitted", () => {
    const { config, problems } = parsePlatformConfig(
      "project: p\nbaseDomain: x.example.com\nonCallEmail: a@b.example\nsecretStore: {name: store}\ntenants: [{id: single}]\ngateway: {tokens: [{tenant: single, remoteKey: k}]}\n",
      FILE,
      "prod",
    );
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      environment: "prod",
      clusterLabel: "primary",
      defaultTenant: "single",
      namespace: "mimir",
      mimir: { deploymentMode: "microservices", retention: "400d", zoneAwareReplication: false },
      gateway: { rateLimits: { perTenant: { rate: 120 }, perClientIp: { rate: 60 } } },
    });
  });

  it.each([
    ["invalid tenant id", (c: any) => (c.tenants[2].id = "Team_Search!"), `${FILE}: tenants[2].id: must match ^[a-z0-9][a-z0-9_-]{0,62}$`],
    ["unknown top-level field", (c: any) => (c.tenantz = []), `${FILE}: tenantz: unknown field`],
    ["unknown nested field", (c: any) => (c.mimir.components.ingester.replica = 3), `${FILE}: mimir.components.ingester.replica: unknown field`],
    ["bad duration", (c: any) => (c.mimir.retention = "400 days"), `${FILE}: mimir.retention: must be a duration such as 30s, 15m, 12h or 15d`],
    [
      "bad quantity",
      (c: any) => (c.mimir.components.ingester.resources.requests.memory = "10GB"),
      `${FILE}: mimir.components.ingester.resources.requests.memory: must be a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi`,
    ],
    ["negative replicas", (c: any) => (c.mimir.components.querier.replicas = -1), `${FILE}: mimir.components.querier.replicas: must be >= 0`],
    ["fractional replicas", (c: any) => (c.caches.results.replicas = 1.5), `${FILE}: caches.results.replicas: must be a whole number`],
    [
      "an HPA on a StatefulSet",
      (c: any) => (c.mimir.components.ingester.autoscaling = { minReplicas: 3, maxReplicas: 6 }),
      `${FILE}: mimir.components.ingester.autoscaling: ingester is a StatefulSet holding ring or disk state; an HPA would add and remove members behind the rollout's back. Set replicas instead`,
    ],
    [
      "a disk for a Deployment",
      (c: any) => (c.mimir.components.querier.storage = "10Gi"),
      `${FILE}: mimir.components.querier.storage: querier keeps no data on disk (a Deployment with an emptyDir); storage applies to StatefulSets only`,
    ],
    [
      "settings of a component the mode does not run",
      (c: any) => ((c.mimir.deploymentMode = "read-only"), (c.drSourceEnvironment = "prod"), (c.mimir.components.compactor = { replicas: 1 })),
      `${FILE}: mimir.components.compactor: compactor does not run in deploymentMode read-only (runs: ingester, querier, queryFrontend, queryScheduler, storeGateway)`,
    ],
    ["replicas and autoscaling together", (c: any) => (c.mimir.components.querier = { replicas: 4, autoscaling: { minReplicas: 2, maxReplicas: 5 } }), `${FILE}: mimir.components.querier.replicas: set either replicas or autoscaling: under an HPA the replica count is autoscaling.minReplicas..maxReplicas`],
    ["fewer ingesters than the replication factor", (c: any) => ((c.mimir.zoneAwareReplication = false), (c.mimir.components.ingester.replicas = 2)), `${FILE}: mimir.components.ingester.replicas: must be >= 3: ingesters replicate every series 3 times and reads need a quorum (got 2)`],
    ["a disabled cache with settings", (c: any) => (c.caches.results = { enabled: false, replicas: 2 }), `${FILE}: caches.results.replicas: has no effect while the cache is disabled (enabled: false); remove replicas`],
    ["a tenant description", (c: any) => (c.tenants[0].description = "platform"), `${FILE}: tenants[0].description: not used by anything the platform deploys, so it would be silently ignored: write it as a YAML comment`],
    ["zero cache replicas", (c: any) => (c.caches.results.replicas = 0), `${FILE}: caches.results.replicas: must be > 0`],
    ["bad enum", (c: any) => (c.mimir.deploymentMode = "kafka"), `${FILE}: mimir.deploymentMode: Invalid option: expected one of "microservices"|"monolithic"|"read-only"`],
    [
      "misspelled Mimir limit",
      (c: any) => (c.tenants[1].limits.ingestion_rat = 5),
      `${FILE}: tenants[1].limits.ingestion_rat: unknown Mimir limit "ingestion_rat" (did you mean "ingestion_rate"?)`,
    ],
    ["Mimir limit of the wrong type", (c: any) => (c.tenants[1].limits.ingestion_rate = "fast"), `${FILE}: tenants[1].limits.ingestion_rate: expected number, got string "fast"`],
    ["Mimir duration limit", (c: any) => (c.mimir.limits.out_of_order_time_window = "ten minutes"), `${FILE}: mimir.limits.out_of_order_time_window: must be a duration such as 30s, 15m, 12h or 15d`],
    ["duplicate tenant", (c: any) => (c.tenants[2].id = "team-payments"), `${FILE}: tenants[2].id: duplicate tenant id "team-payments" (also tenants[1])`],
    ["default tenant not listed", (c: any) => (c.defaultTenant = "nobody"), `${FILE}: defaultTenant: unknown tenant "nobody" (known: single, team-payments, team-search): it must be listed in tenants`],
    ["missing required field", (c: any) => delete c.onCallEmail, `${FILE}: onCallEmail: required field is missing`],
    ["bad email", (c: any) => (c.onCallEmail = "oncall"), `${FILE}: onCallEmail: must be an email address`],
    ["bad URL", (c: any) => (c.grafanaRootUrl = "grafana"), `${FILE}: grafanaRootUrl: must be an http(s) URL`],
    [
      "zone-aware replicas not a multiple of 3",
      (c: any) => (c.mimir.components.ingester.replicas = 4),
      `${FILE}: mimir.components.ingester.replicas: must be a multiple of 3 with zone-aware replication (one StatefulSet per zone), got 4`,
    ],
    ["oversized cache pod", (c: any) => (c.caches.results.memoryMb = 8192), `${FILE}: caches.results.memoryMb: at most 4096 MiB per pod; add replicas instead of growing pods (got 8192)`],
    ["HPA min above max", (c: any) => (c.mimir.components.querier.autoscaling = { minReplicas: 5, maxReplicas: 2 }), `${FILE}: mimir.components.querier.autoscaling.minReplicas: minReplicas must be <= maxReplicas`],
    ["retention set twice", (c: any) => (c.tenants[1].limits.compactor_blocks_retention_period = "10d"), `${FILE}: tenants[1].retention: set either retention or limits.compactor_blocks_retention_period, not both`],
    ["secret store missing outside local", (c: any) => delete c.secretStore, `${FILE}: secretStore: required for deploymentMode microservices: secrets come from the secret store`],
    ["a single gateway replica outside local", (c: any) => (c.gateway.replicas = 1), `${FILE}: gateway.replicas: must be >= 2 outside the local environment: the gateway is the only way in (got 1)`],
    ["plaintext tokens outside local", (c: any) => (c.gateway.devOnlyTokens = { "0123456789abcdef0123": "single" }), `${FILE}: gateway.devOnlyTokens: plaintext tokens are only allowed for the local (monolithic) environment; use gateway.tokens`],
  ])("rejects %s with file and field path, writing nothing", async (_name, edit, expected) => {
    expect(await problemsFor(edit)).toContain(expected);
  });

  it("says so when config.yaml is empty", () => {
    expect(parsePlatformConfig("\n", FILE, "prod").problems).toEqual([{ file: FILE, message: "file is empty: expected the platform settings (see README)" }]);
  });

  it("reports YAML syntax errors with the file name", () => {
    const { problems } = parsePlatformConfig("project: [unclosed", FILE, "prod");
    expect(problems[0]?.file).toBe(FILE);
    expect(problems[0]?.message).toMatch(/^not valid YAML/);
  });
});

describe("terraform-outputs.json", () => {
  const OUT = "overlays/prod/terraform-outputs.json";
  const edited = (edit: (o: Record<string, any>) => void) => {
    const outputs = JSON.parse(prodOutputs);
    edit(outputs);
    return parseInfraOutputs(JSON.stringify(outputs), OUT);
  };

  it("loads typed outputs, drops sensitive ones and warns about the DynamoDB table", () => {
    const { result, problems } = parseInfraOutputs(prodOutputs, OUT);
    expect(problems).toEqual([]);
    expect(result?.outputs).toMatchObject({
      region: "eu-west-1",
      mimirBucket: "acme-obs-prod-mimir-metrics",
      availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      dr: { bucket: "acme-obs-prod-mimir-metrics-dr", region: "eu-central-1" },
    });
    expect(JSON.stringify(result)).not.toContain("fixture-not-a-real-password");
    expect(result?.warnings).toEqual([expect.stringContaining(`${OUT}: mimir_index_table: ignored: Mimir's blocks storage`)]);
  });

  it.each([
    ["missing output", (o: any) => delete o.kms_key_arn, "kms_key_arn: required output is missing"],
    ["required output marked sensitive", (o: any) => (o.kms_key_arn.sensitive = true), "kms_key_arn: is marked sensitive; sensitive outputs are dropped unread"],
    ["bad ARN", (o: any) => (o.mimir_irsa_role_arn.value = "mimir-role"), "mimir_irsa_role_arn.value: must be an AWS IAM ARN (arn:aws:iam:...)"],
    ["bad region", (o: any) => (o.region.value = "Europe"), "region.value: must be an AWS region such as eu-west-1"],
    ["wrong envelope", (o: any) => (o.region = "eu-west-1"), "region: Invalid input: expected object, received string"],
    ["partial DR outputs", (o: any) => delete o.dr_region, "dr_replication_bucket: dr_replication_bucket, dr_region and dr_kms_key_arn must be output together"],
    [
      "a component role under an unknown key",
      (o: any) => (o.component_irsa_role_arns.value["store-gateway"] = "arn:aws:iam::123456789012:role/sg"),
      'component_irsa_role_arns.value.store-gateway: unknown Mimir component "store-gateway" (did you mean "store_gateway"?; known: distributor, ingester, querier, query_frontend, query_scheduler, store_gateway, compactor, ruler, … and 2 more)',
    ],
    ["a load balancer subnet that is not a CIDR", (o: any) => (o.load_balancer_subnet_cidrs = { sensitive: false, type: "list", value: ["10.0.0.0"] }), "load_balancer_subnet_cidrs.value[0]: must be a CIDR such as 10.0.0.0/8"],
  ])("rejects %s", (_name, edit, expected) => {
    const { problems } = edited(edit);
    expect(problems.map((p) => `${p.path}: ${p.message}`).join("\n")).toContain(expected);
    expect(problems.every((p) => p.file === OUT)).toBe(true);
  });

  it("rejects text that is not JSON", () => {
    expect(parseInfraOutputs("{", OUT).problems[0]).toMatchObject({ file: OUT, message: expect.stringMatching(/^not valid JSON/) });
  });
});

describe("synth CLI on bad input", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  async function expectFailureLeavesOutputsUntouched(
    breakInput: (root: string) => void,
    expectedError: string,
  ): Promise<void> {
    const scratch = scratchRepo();
    cleanup = scratch.cleanup;
    const before = await readTree(scratch.root, ["dist", "argocd", "flux"]);
    breakInput(scratch.root);
    const result = runCli(["synth", "--root", scratch.root]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(expectedError);
    expect(result.stderr).toContain("nothing was written");
    const after = await readTree(scratch.root, ["dist", "argocd", "flux"]);
    expect(after).toEqual(before);
  }

  it("exits 1 and writes nothing when one environment's config is invalid", async () => {
    await expectFailureLeavesOutputsUntouched((root) => {
      const file = path.join(root, "overlays/dev/config.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("  - id: team-search", "  - id: Team Search"));
    }, "error: overlays/dev/config.yaml: tenants[2].id: must match ^[a-z0-9][a-z0-9_-]{0,62}$");
  });

  it("exits 1 and writes nothing when the bucket does not follow <project>-<env>-mimir-metrics", async () => {
    await expectFailureLeavesOutputsUntouched((root) => {
      const file = path.join(root, "overlays/prod/terraform-outputs.json");
      writeFileSync(file, readFileSync(file, "utf8").replace("acme-obs-prod-mimir-metrics\"", "acme-obs-dev-mimir-metrics\""));
    }, 'error: overlays/prod/terraform-outputs.json: mimir_bucket.value: must be "acme-obs-prod-mimir-metrics"');
  });

  it("exits 1 when the gateway has no load balancer subnets to trust, or a role names a component that does not run", async () => {
    await expectFailureLeavesOutputsUntouched((root) => {
      const file = path.join(root, "overlays/dr/terraform-outputs.json");
      const outputs = JSON.parse(readFileSync(file, "utf8"));
      delete outputs.load_balancer_subnet_cidrs;
      outputs.component_irsa_role_arns.value = { compactor: "arn:aws:iam::123456789012:role/c" };
      writeFileSync(file, JSON.stringify(outputs));
    }, "error: overlays/dr/terraform-outputs.json: load_balancer_subnet_cidrs: required output is missing");
  });

  it("exits 1 when zone-aware prod gets fewer than three zones", async () => {
    await expectFailureLeavesOutputsUntouched((root) => {
      const file = path.join(root, "overlays/prod/terraform-outputs.json");
      const outputs = JSON.parse(readFileSync(file, "utf8"));
      outputs.availability_zones.value = ["eu-west-1a", "eu-west-1b"];
      writeFileSync(file, JSON.stringify(outputs));
    }, "error: overlays/prod/terraform-outputs.json: availability_zones.value: zone-aware replication needs 3 availability zones, got 2");
  });

  it("prints the DynamoDB warning on stderr and keeps going", () => {
    const scratch = scratchRepo();
    cleanup = scratch.cleanup;
    const result = runCli(["synth", "--root", scratch.root, "--env", "prod", "--check"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("warning: overlays/prod/terraform-outputs.json: mimir_index_table: ignored");
    expect(result.stdout).toMatch(/^synth prod: \d+ objects in \d+ ms/m);
  });
});
