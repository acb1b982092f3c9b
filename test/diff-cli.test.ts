import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, scratchRepo } from "./helpers/cli.js";

describe("npm run diff (the golden-file review tool)", () => {
  const scratch = scratchRepo();
  afterAll(() => scratch.cleanup());

  it("prints nothing and exits 0 when the committed output is current", () => {
    const result = runCli(["diff", "--root", scratch.root]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe("");
  });

  it("names each changed object and field, old → new, and exits 1", () => {
    const file = path.join(scratch.root, "overlays/prod/config.yaml");
    const original = readFileSync(file, "utf8");
    writeFileSync(
      file,
      original.replace("      ingestion_rate: 100000", "      ingestion_rate: 200000").replace("      replicas: 12", "      replicas: 15"),
    );
    try {
      const result = runCli(["diff", "--root", scratch.root]);
      expect(result.status).toBe(1);
      expect(result.stdout.split("\n")).toEqual([
        "~ StatefulSet mimir/ingester-zone-a (dist/prod/mimir/ingester.yaml)",
        "  spec.replicas: 4 → 5",
        "~ StatefulSet mimir/ingester-zone-b (dist/prod/mimir/ingester.yaml)",
        "  spec.replicas: 4 → 5",
        "~ StatefulSet mimir/ingester-zone-c (dist/prod/mimir/ingester.yaml)",
        "  spec.replicas: 4 → 5",
        "~ ConfigMap mimir/mimir-runtime (dist/prod/mimir/mimir-config.yaml)",
        '  data["runtime.yaml"].overrides.team-payments.ingestion_rate: 100000 → 200000',
        "4 object(s) differ: 4 changed, 0 moved, 0 added, 0 removed; files: 0 added, 0 removed, 0 unparseable",
        "per layer:",
        "  dist/prod/mimir: 4 changed",
        "",
      ]);
    } finally {
      writeFileSync(file, original);
    }
  });
});
