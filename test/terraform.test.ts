import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseInfraOutputs } from "../src/config/infra-outputs.js";
import { readTree } from "../src/diff/semantic-diff.js";
import { REPO_ROOT, runCli, scratchRepo } from "./helpers/cli.js";
import { terraformOutputJson } from "./helpers/terraform.js";

// One real `terraform init/apply/output -json` run of the providerless fixture module, shared by the tests.
const outputsText = await terraformOutputJson({ project: "acme-obs", environment: "prod", region: "eu-west-1" });
if (outputsText === null) {
  console.warn("NOTICE: terraform is not installed; skipping the Terraform fixture tests (they are required in CI)");
}

describe.skipIf(outputsText === null)("real terraform output -json", () => {
  const scratch = scratchRepo();
  afterAll(() => scratch.cleanup());

  it("is parsed into InfraOutputs, with the sensitive output dropped", () => {
    const { result, problems } = parseInfraOutputs(outputsText!, "terraform-outputs.json");
    expect(problems).toEqual([]);
    expect(result!.outputs.mimirBucket).toBe("acme-obs-prod-mimir-metrics");
    expect(result!.outputs.availabilityZones).toHaveLength(3);
    expect(JSON.stringify(result)).not.toContain("fixture-not-a-real-password");
    // The raw Terraform output does carry it: this is what must never travel further.
    expect(outputsText).toContain("fixture-not-a-real-password");
  });

  it("synthesizes prod from it exactly as committed, and keeps the sensitive value out of dist", async () => {
    writeFileSync(path.join(scratch.root, "overlays/prod/terraform-outputs.json"), outputsText!);
    const result = runCli(["synth", "--root", scratch.root, "--env", "prod"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("mimir_index_table: ignored");
    const fresh = await readTree(scratch.root, ["dist/prod"]);
    const committed = await readTree(REPO_ROOT, ["dist/prod"]);
    expect(fresh).toEqual(committed);
    expect([...fresh.values()].join("\n")).not.toContain("fixture-not-a-real-password");
  });

  it("the committed example outputs are what the fixture module produces", () => {
    const committed = JSON.parse(readFileSync(path.join(REPO_ROOT, "overlays/prod/terraform-outputs.json"), "utf8"));
    expect(committed).toEqual(JSON.parse(outputsText!));
  });
});
