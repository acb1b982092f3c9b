import { readFileSync } from "node:fs";
import path from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { unknownValueMessage } from "../src/config/bounded-list.js";
import { parsePlatformConfig } from "../src/config/load.js";
import { ingesterCapacityWarnings, ingesterSeriesCapacity } from "../src/mimir/capacity.js";
import { synthesizeAll } from "../src/synth/pipeline.js";
import { REPO_ROOT } from "./helpers/cli.js";
import { envFile } from "./helpers/env-objects.js";

const prodText = readFileSync(path.join(REPO_ROOT, "overlays/prod/config.yaml"), "utf8");
const prod = parsePlatformConfig(prodText, "overlays/prod/config.yaml", "prod").config!;

describe("ingester capacity", () => {
  it("derives the per-ingester series limit from the memory request (2.5 GB per 300k series + 50% headroom)", () => {
    expect(ingesterSeriesCapacity("12Gi")).toBe(1_030_000);
    expect(ingesterSeriesCapacity("4Gi")).toBe(340_000);
    expect(ingesterSeriesCapacity("256Mi")).toBe(20_000);
  });

  it("sets ingester.instance_limits.max_series in every cloud environment, none locally", () => {
    const outcome = synthesizeAll({ root: REPO_ROOT, envs: [] });
    const mimirYaml = (env: string) => {
      const text = envFile(outcome.files, env, "mimir-config")!;
      const configMap = (text.split("\n---\n").map((doc) => load(doc)) as any[]).find((o) => o?.metadata?.name === "mimir-config");
      return load(configMap.data["mimir.yaml"]) as any;
    };
    expect(mimirYaml("prod").ingester.instance_limits).toEqual({ max_series: 1_030_000 });
    expect(mimirYaml("dev").ingester.instance_limits).toEqual({ max_series: 340_000 });
    expect(mimirYaml("dr").ingester.instance_limits.max_series).toBeGreaterThan(0);
    expect(mimirYaml("local").ingester).not.toHaveProperty("instance_limits");
    // The example environments are coherent: no capacity warning.
    expect(outcome.warnings.filter((warning) => warning.includes("series"))).toEqual([]);
  });

  it("warns when the tenants' limits times the replication factor exceed what the ingesters hold", () => {
    const capacity = { replicas: 6, memoryRequest: "10Gi", maxSeriesPerIngester: 850_000 };
    // prod tenants: 1M (default) + 2M + 0.5M = 3.5M series, 10.5M in memory > 6 × 850k = 5.1M.
    expect(ingesterCapacityWarnings(prod, capacity)).toEqual([
      "overlays/prod/config.yaml: the tenants' series limits add up to 3500000 series, 10500000 in memory at replication factor 3, but 6 ingesters hold at most 5100000 (850000 each); add ingesters or memory, or lower max_global_series_per_user",
    ]);
    expect(ingesterCapacityWarnings(prod, { replicas: 12, memoryRequest: "12Gi", maxSeriesPerIngester: 1_030_000 })).toEqual([]);
  });

  it("warns when an explicit limit exceeds what the memory holds, and about unlimited tenants", () => {
    const unlimited = { ...prod, tenants: [...prod.tenants, { id: "greedy", limits: { max_global_series_per_user: 0 } }] };
    const warnings = ingesterCapacityWarnings(unlimited, { replicas: 100, memoryRequest: "4Gi", maxSeriesPerIngester: 2_000_000 });
    expect(warnings[0]).toMatch(/2000000 series per ingester exceeds what a 4Gi memory request holds \(~340000/);
    expect(warnings[1]).toMatch(/tenants greedy have no series limit/);
  });
});

describe("bounded error messages", () => {
  it("lists at most eight known values and keeps the did-you-mean hint, even with 1,000 tenants", () => {
    const known = Array.from({ length: 1000 }, (_, index) => `team-${String(index).padStart(4, "0")}`);
    const message = unknownValueMessage("tenant", "team-0O42", known);
    expect(message).toBe(
      'unknown tenant "team-0O42" (did you mean "team-0042"?; known: team-0000, team-0001, team-0002, team-0003, team-0004, team-0005, team-0006, team-0007, … and 992 more)',
    );
    expect(message.length).toBeLessThan(200);
  });
});
