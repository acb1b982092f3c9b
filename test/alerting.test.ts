import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALERTMANAGER_CONFIG_HASH_ANNOTATION } from "../src/mimir/alertmanager.js";
import { synthesizeAll, type SynthOutcome } from "../src/synth/pipeline.js";
import { envObjects } from "./helpers/env-objects.js";
import { REPO_ROOT, scratchRepo } from "./helpers/cli.js";
import { forAmtool } from "./helpers/amtool.js";
import { configProblems } from "./helpers/config-problems.js";

let outcome: SynthOutcome;
beforeAll(() => {
  outcome = synthesizeAll({ root: REPO_ROOT, envs: [] });
});

const objects = (env: string) => envObjects(outcome, env);
const fallbackText = (env: string) => objects(env).find((o) => o.metadata.name === "alertmanager-fallback-config")!.data!["alertmanager_fallback_config.yaml"]!;

function writeForAmtool(env: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `am-${env}-`));
  const file = path.join(dir, "alertmanager.yaml");
  writeFileSync(file, forAmtool(fallbackText(env)));
  return file;
}

function amtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync("amtool", args, { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

/** Receivers an alert with these labels reaches, per amtool. */
function routesTo(file: string, labels: Record<string, string>): string[] {
  const result = amtool(["config", "routes", "test", `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
  expect(result.status, result.output).toBe(0);
  return result.output.split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("Warning"));
}

describe("Alertmanager configuration (Mimir fallback config)", () => {
  it.each(["local", "dev", "prod"])("amtool check-config accepts the rendered config of %s", (env) => {
    const result = amtool(["check-config", writeForAmtool(env)]);
    expect(result.status, result.output).toBe(0);
  });

  it("DR runs no Alertmanager and renders no alerting objects", () => {
    expect(objects("dr").filter((o) => o.metadata.name.startsWith("alertmanager"))).toEqual([]);
  });

  describe("prod routing (amtool config routes test)", () => {
    let file: string;
    beforeAll(() => {
      file = writeForAmtool("prod");
    });
    it("a critical alert of team payments pages payments' PagerDuty", () => {
      expect(routesTo(file, { alertname: "X", severity: "critical", scope: "payments" })).toEqual(["payments-page"]);
    });
    it("a warning reaches the team's email/chat receiver", () => {
      expect(routesTo(file, { alertname: "X", severity: "warning", scope: "platform" })).toEqual(["platform-notify"]);
      expect(routesTo(file, { alertname: "X", severity: "warning", scope: "search" })).toEqual(["search-notify"]);
    });
    it("an alert with an unknown scope falls back to the platform receivers", () => {
      expect(routesTo(file, { alertname: "X", severity: "critical", scope: "nobody" })).toEqual(["platform-page"]);
      expect(routesTo(file, { alertname: "X", severity: "warning", scope: "nobody" })).toEqual(["platform-notify"]);
      expect(routesTo(file, { alertname: "X", severity: "critical" })).toEqual(["platform-page"]);
    });
    it("Watchdog goes to the dead-man's switch only; info alerts go nowhere", () => {
      expect(routesTo(file, { alertname: "Watchdog", severity: "info", scope: "platform", cluster: "primary" })).toEqual(["dead-mans-switch"]);
      expect(routesTo(file, { alertname: "X", severity: "info", scope: "platform" })).toEqual(["discard"]);
    });
    it("configured label routes reach their team", () => {
      expect(routesTo(file, { alertname: "X", severity: "critical", namespace: "payments" })).toEqual(["payments-page"]);
    });
  });

  it("receivers read secrets from files of the ExternalSecret-provided Secret; no secret literal in git", () => {
    const config = load(fallbackText("prod")) as any;
    const receiver = (name: string) => config.receivers.find((r: any) => r.name === name);
    expect(receiver("payments-page").pagerduty_configs).toEqual([{ routing_key_file: "/etc/alertmanager/secrets/payments-pagerduty-routing-key", send_resolved: true }]);
    expect(receiver("platform-notify").webhook_configs).toEqual([{ url_file: "/etc/alertmanager/secrets/platform-webhook-url", send_resolved: true }]);
    expect(receiver("platform-notify").email_configs).toEqual([{ to: "oncall@acme.example", send_resolved: true }]);
    expect(receiver("dead-mans-switch").webhook_configs).toEqual([{ url_file: "/etc/alertmanager/secrets/dead-mans-switch-url", send_resolved: false }]);
    expect(config.global.smtp_auth_password_file).toBe("/etc/alertmanager/secrets/smtp-password");
    expect(fallbackText("prod")).not.toMatch(/routing_key:|service_key:|\burl:|smtp_auth_password:|api_url:/);
    expect(config.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "cluster", "namespace", "scope", "pod", "instance"] },
    ]);
    expect(config.route.group_by).toEqual(["alertname", "cluster", "namespace", "scope"]);

    const secret = objects("prod").find((o) => o.kind === "ExternalSecret" && o.metadata.name === "alertmanager-receivers")!;
    const keys = secret.spec.data.map((d: any) => d.secretKey);
    expect(keys).toEqual([
      "platform-pagerduty-routing-key",
      "platform-webhook-url",
      "payments-pagerduty-routing-key",
      "search-webhook-url",
      "dead-mans-switch-url",
      "smtp-password",
    ]);
    expect(secret.spec.data[0].remoteRef).toEqual({ key: "observability/prod/alerting", property: "platform-pagerduty-routing-key" });
    expect(objects("prod").some((o) => o.kind === "Secret" && o.metadata.name === "alertmanager-receivers")).toBe(false);

    const statefulSet = objects("prod").find((o) => o.kind === "StatefulSet" && o.metadata.name === "alertmanager")!;
    const pod = statefulSet.spec.template;
    const volume = pod.spec.volumes.find((v: any) => v.secret?.secretName === "alertmanager-receivers");
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: volume.name, mountPath: "/etc/alertmanager/secrets" });
    expect(pod.metadata.annotations[ALERTMANAGER_CONFIG_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
  });

  it("local (no secret store) emails nothing and mounts no secrets, but routes the same way", () => {
    const config = load(fallbackText("local")) as any;
    expect(config.receivers.every((r: any) => Object.keys(r).length === 1)).toBe(true);
    expect(objects("local").some((o) => o.kind === "ExternalSecret" && o.metadata.name === "alertmanager-receivers")).toBe(false);
  });
});

describe("alerting config validation", () => {
  const scratch = scratchRepo();
  afterAll(() => scratch.cleanup());
  const prod = (edit: (c: Record<string, any>) => void) => configProblems(scratch.root, "overlays/prod/config.yaml", edit);
  const FILE = "overlays/prod/config.yaml";

  it.each([
    ["unknown team in a route", (c: any) => (c.alerting.routes[0].team = "paymnets"), `${FILE}: alerting.routes[0].team: unknown team "paymnets" (did you mean "payments"?; known: platform, payments, search)`],
    ["malformed email", (c: any) => (c.alerting.teams[1].email = "payments-oncall"), `${FILE}: alerting.teams[1].email: must be an email address`],
    ["missing secret reference", (c: any) => (c.alerting.teams[1].pagerduty = { property: "key" }), `${FILE}: alerting.teams[1].pagerduty.remoteKey: required field is missing`],
    ["duplicate team", (c: any) => (c.alerting.teams[2].name = "payments"), `${FILE}: alerting.teams[2].name: duplicate team "payments" (also teams[1])`],
    ["bad smarthost", (c: any) => (c.alerting.smtp.smarthost = "smtp.example.com"), `${FILE}: alerting.smtp.smarthost: must be host:port, e.g. email-smtp.eu-west-1.amazonaws.com:587`],
    ["password without user", (c: any) => delete c.alerting.smtp.username, `${FILE}: alerting.smtp.password: needs smtp.username: the relay authenticates a user`],
    ["unknown field", (c: any) => (c.alerting.teams[0].slack = "x"), `${FILE}: alerting.teams[0].slack: unknown field`],
  ])("%s", async (_name, edit, expected) => {
    expect(await prod(edit)).toEqual([expected]);
  });

  it("secret references need a secret store (local)", async () => {
    const problems = await configProblems(scratch.root, "overlays/local/config.yaml", (c) => {
      c.alerting = { teams: [{ name: "platform", pagerduty: { remoteKey: "k" } }] };
    });
    expect(problems).toEqual(["overlays/local/config.yaml: alerting.teams[0].pagerduty: is a secret reference, which needs secretStore"]);
  });

  it("DR (read-only) runs no Alertmanager: an alerting section is rejected", async () => {
    const problems = await configProblems(scratch.root, "overlays/dr/config.yaml", (c) => {
      c.alerting = { teams: [{ name: "platform", email: "a@b.example" }] };
    });
    expect(problems).toEqual(["overlays/dr/config.yaml: alerting.teams: deploymentMode read-only runs no Alertmanager; remove the alerting section"]);
  });
});
