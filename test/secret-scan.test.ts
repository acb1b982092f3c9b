import { dump } from "js-yaml";
import { describe, expect, it } from "vitest";
import { DEV_ONLY_LABEL } from "../src/lib/labels.js";
import {
  formatFinding,
  readOutputTrees,
  scanFile,
  scanOutputs,
  sensitiveTerraformValues,
  type SensitiveValue,
} from "../src/security/secret-scan.js";
import { OUTPUT_DIRS, synthesizeAll } from "../src/synth/pipeline.js";
import { REPO_ROOT } from "./helpers/cli.js";

// Planted values are assembled at run time so this file itself holds nothing secret-shaped.
const repeat = (text: string, times: number) => text.repeat(times);
const PLANTED = {
  awsKeyId: `AKIA${repeat("Q7", 8)}`,
  awsSecret: `aws_secret_access_key = ${repeat("wJalrXUtnFEMIK7MDENG", 2)}`,
  privateKey: `-----BEGIN ${"RSA"} PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----`,
  bearer: `Authorization: Bearer ${repeat("x9", 12)}`,
  slackToken: `xox${"b"}-${repeat("1234", 4)}-abcdefABCDEF`,
  slackWebhook: `https://hooks.slack.com/services/T${"0123ABC"}/B${"0456DEF"}/${repeat("a1", 12)}`,
  githubToken: `gh${"p"}_${repeat("A1b2", 9)}`,
  pagerduty: `routing_key: ${repeat("0f1e", 8)}`,
  iniPassword: `[database]\npassword = ${"hunter2-but-longer"}\n`,
};

const sensitive: SensitiveValue[] = [{ value: `tf-${"sensitive"}-value-123`, source: "overlays/x/terraform-outputs.json output db_password" }];

const configMap = (data: Record<string, string>, labels: Record<string, string> = {}) =>
  dump({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "planted", labels }, data });

describe("secret scanning of dist/, argocd/ and flux/", () => {
  it("finds no sensitive Terraform output and no secret-shaped string in the committed outputs or a fresh synth", () => {
    const values = sensitiveTerraformValues(REPO_ROOT);
    expect(values.length).toBeGreaterThan(0); // the fixtures mark some outputs sensitive: the scan has something to look for
    const committed = readOutputTrees(REPO_ROOT, OUTPUT_DIRS);
    expect(committed.size).toBeGreaterThan(0);
    expect(scanOutputs(committed, values).map(formatFinding)).toEqual([]);
    const fresh = synthesizeAll({ root: REPO_ROOT, envs: [] });
    expect(scanOutputs(fresh.files, values).map(formatFinding)).toEqual([]);
  });

  it("fails on a sensitive Terraform output, raw or base64, naming file, object and field", () => {
    const value = sensitive[0]!.value;
    const text =
      configMap({ "app.ini": `x = ${value}` }) +
      "---\n" +
      dump({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { a: Buffer.from(value).toString("base64") } }) +
      "---\n" +
      configMap({ embedded: `prefix ${Buffer.from(value).toString("base64")} suffix` }, { [DEV_ONLY_LABEL]: "true" });
    expect(scanFile("dist/x/planted.yaml", text, sensitive).map(formatFinding)).toEqual([
      'dist/x/planted.yaml: ConfigMap/planted: data["app.ini"]: contains the value of overlays/x/terraform-outputs.json output db_password, which is marked sensitive',
      "dist/x/planted.yaml: Secret/s: data.a: contains the base64-encoded value of overlays/x/terraform-outputs.json output db_password, which is marked sensitive",
      // the dev-only allow-list never covers sensitive outputs
      "dist/x/planted.yaml: ConfigMap/planted: data.embedded: contains the base64-encoded value of overlays/x/terraform-outputs.json output db_password, which is marked sensitive",
    ]);
  });

  it("fails on every kind of secret-shaped string, never printing the value", () => {
    const findings = scanFile("argocd/x.yaml", configMap(PLANTED), []).map(formatFinding);
    expect(findings).toEqual([
      "argocd/x.yaml: ConfigMap/planted: data.awsKeyId: looks like an AWS access key ID: AKIA… (20 characters)",
      "argocd/x.yaml: ConfigMap/planted: data.awsSecret: looks like an AWS secret access key: aws_… (64 characters)",
      "argocd/x.yaml: ConfigMap/planted: data.privateKey: looks like a private key: ----… (31 characters)",
      "argocd/x.yaml: ConfigMap/planted: data.bearer: looks like a literal bearer token: Bear… (31 characters)",
      "argocd/x.yaml: ConfigMap/planted: data.slackToken: looks like a Slack token: xoxb… (34 characters)",
      "argocd/x.yaml: ConfigMap/planted: data.slackWebhook: looks like a Slack webhook URL: hook… (67 characters)",
      "argocd/x.yaml: ConfigMap/planted: data.githubToken: looks like a GitHub token: ghp_… (40 characters)",
      "argocd/x.yaml: ConfigMap/planted: data.pagerduty: looks like a PagerDuty key: rout… (45 characters)",
      "argocd/x.yaml: ConfigMap/planted: data.iniPassword: looks like a password or token in a config text: pass… (29 characters)",
    ]);
    for (const value of Object.values(PLANTED)) for (const finding of findings) expect(finding).not.toContain(value);
  });

  it("finds base64-encoded secret shapes and literal values under secret-named keys", () => {
    const text = dump({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { key: Buffer.from(PLANTED.githubToken).toString("base64") },
      stringData: { password: "correct-horse-battery", password_file: "/etc/secrets/password", token: "${TOKEN}" },
    });
    expect(scanFile("flux/x.yaml", text, []).map(formatFinding)).toEqual([
      "flux/x.yaml: Secret/s: data.key: looks like a GitHub token (base64-encoded): ghp_… (40 characters)",
      "flux/x.yaml: Secret/s: stringData.password: is a literal secret value (key password): corr… (21 characters); reference the secret store instead",
    ]);
  });

  it("allows marked dev-only local values, and references to secrets", () => {
    expect(scanFile("dist/local/x.yaml", configMap(PLANTED, { [DEV_ONLY_LABEL]: "true" }), [])).toEqual([]);
    const references = configMap({
      ini: "[database]\npassword = $__file{/etc/grafana/secrets/database/password}\n",
      am: "smtp_auth_password_file: /etc/alertmanager/secrets/smtp-password\nrouting_key_file: /etc/x\n",
      nginx: `add_header WWW-Authenticate 'Bearer realm="mimir"';\n# send Authorization: Bearer <token>\nBearer $__env{GF_DS_TOKEN}`,
    });
    expect(scanFile("dist/prod/x.yaml", references, []).map(formatFinding)).toEqual([]);
  });
});
