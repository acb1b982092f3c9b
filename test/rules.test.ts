import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { load, loadAll } from "js-yaml";
import { parsePromql } from "./helpers/promql.js";
import { beforeAll, describe, expect, it } from "vitest";
import { CACHE_DEFAULTS } from "../src/memcached/defaults.js";
import { describeMetric, isKnownMetric } from "../src/rules/metric-catalog.js";
import { RECORDING_GROUPS } from "../src/rules/recording-rules.js";
import {
  alertGroups,
  PLATFORM_SCOPE,
  recordingGroups,
  renderAlertGroup,
  renderRecordingGroup,
  ruleFileYaml,
  type RuleFile,
} from "../src/rules/rule-set.js";
import type { AlertSettings } from "../src/rules/types.js";
import { synthesizeAll, type SynthOutcome } from "../src/synth/pipeline.js";
import { checkRulesAndAlerting } from "../src/validate/rules-alerting.js";
import { envObjects } from "./helpers/env-objects.js";
import { REPO_ROOT } from "./helpers/cli.js";

const ENVS = ["local", "dev", "prod", "dr"] as const;
const TEST_DIR = path.join(REPO_ROOT, "test", "rules");

/** Settings the committed promtool tests are written against (labels they expect). */
const TEST_SETTINGS: AlertSettings = {
  runbookBaseUrl: "https://runbooks.test",
  clusterLabel: "test-cluster",
  scope: PLATFORM_SCOPE,
  cacheObjectives: {
    results: CACHE_DEFAULTS.results.hitRatioObjective,
    index: CACHE_DEFAULTS.index.hitRatioObjective,
    chunks: CACHE_DEFAULTS.chunks.hitRatioObjective,
  },
};

let outcome: SynthOutcome;
beforeAll(() => {
  outcome = synthesizeAll({ root: REPO_ROOT, envs: [] });
});

const objects = (env: string) => envObjects(outcome, env);

function promtool(args: string[], cwd?: string): { status: number | null; output: string } {
  const result = spawnSync("promtool", args, { encoding: "utf8", cwd });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

function promtoolAsync(args: string[], cwd: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("promtool", args, { cwd });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (status) => resolve({ status, output }));
  });
}

/** Every rule file an environment renders: ruler ConfigMap entries and PrometheusRule specs. */
function renderedRuleFiles(env: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const object of objects(env)) {
    if (object.kind === "ConfigMap" && object.metadata.name.startsWith("mimir-rules-")) {
      for (const [key, text] of Object.entries(object.data ?? {})) files.set(`${object.metadata.name}/${key}`, text);
    }
    if (object.kind === "PrometheusRule") files.set(`PrometheusRule/${object.metadata.name}`, JSON.stringify({ groups: object.spec.groups }));
  }
  return files;
}

describe("rendered rule files", () => {
  it.each(ENVS)("promtool check rules accepts every rule file of %s", (env) => {
    const files = renderedRuleFiles(env);
    expect(files.size).toBeGreaterThan(0);
    const dir = mkdtempSync(path.join(os.tmpdir(), `rules-${env}-`));
    const paths = [...files].map(([name, text], index) => {
      const file = path.join(dir, `${index}-${name.replace(/\W+/g, "_")}.yaml`);
      writeFileSync(file, text);
      return file;
    });
    const result = promtool(["check", "rules", ...paths]);
    expect(result.status, result.output).toBe(0);
  });

  it("the ruler loads the platform tenant's rules from local storage where a ruler runs", () => {
    for (const env of ["local", "dev", "prod"]) {
      const configMaps = objects(env).filter((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("mimir-rules-"));
      expect(configMaps.map((c) => c.metadata.name), env).toEqual(["mimir-rules-single"]);
      const mimir = load(objects(env).find((o) => o.metadata.name === "mimir-config")!.data!["mimir.yaml"]!) as any;
      expect(mimir.ruler_storage, env).toEqual({ backend: "local", local: { directory: "/etc/mimir-rules" } });
      const ruler = objects(env).find((o) => (o.kind === "Deployment" || o.kind === "StatefulSet") && ["ruler", "mimir"].includes(o.metadata.name))!;
      const pod = ruler.spec.template.spec;
      const volume = pod.volumes.find((v: any) => v.configMap?.name === "mimir-rules-single");
      expect(volume, env).toBeDefined();
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: volume.name, mountPath: "/etc/mimir-rules/single" });
    }
    // DR runs no ruler: no rule ConfigMaps, rules stay where they are.
    expect(objects("dr").filter((o) => o.metadata.name.startsWith("mimir-rules-"))).toEqual([]);
  });

  it("shard-safe recording rules go to a PrometheusRule labelled for the shards", () => {
    const rules = objects("dev").filter((o) => o.kind === "PrometheusRule");
    expect(rules.map((r) => r.metadata.name)).toEqual(["mimir-recording-rules"]);
    expect(rules[0]!.metadata.labels!["monitoring.grafana.com/rule-type"]).toBe("recording");
    const records = rules[0]!.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.record));
    expect(records).toEqual(recordingGroups("shard").flatMap((g) => g.rules.map((r) => r.record)));
    expect(rules[0]!.spec.groups.flatMap((g: any) => g.rules).every((r: any) => r.alert === undefined)).toBe(true);
  });

  it("every alert has severity, scope, summary, description and a runbook link under the configured base URL", () => {
    const configMap = objects("prod").find((o) => o.metadata.name === "mimir-rules-single")!;
    const file = load(configMap.data!["platform-alerts"]!) as RuleFile;
    const rules = file.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(60);
    for (const rule of rules) {
      expect(["critical", "warning", "info"]).toContain(rule.labels!.severity);
      expect(rule.labels!.scope).toBe(PLATFORM_SCOPE);
      expect(rule.annotations!.summary, rule.alert).toMatch(/\S/);
      expect(rule.annotations!.description, rule.alert).toMatch(/\S/);
      expect(rule.annotations!.runbook_url).toMatch(new RegExp(`^https://\\S+/${rule.alert}$`));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Expressions: parse, metric names, naming convention

interface NamedExpr {
  readonly name: string;
  readonly expr: string;
}
const allRules = (): NamedExpr[] => [
  ...RECORDING_GROUPS.flatMap((g) => g.rules.map((r) => ({ name: r.record, expr: r.expr }))),
  ...alertGroups(TEST_SETTINGS).flatMap((g) => g.rules.map((r) => ({ name: r.alert, expr: r.expr }))),
];

describe("rule expressions", () => {
  it("parse without errors", () => {
    const broken = allRules().filter((rule) => parsePromql(rule.expr).errors > 0);
    expect(broken.map((r) => r.name)).toEqual([]);
  });

  it("use only metrics of components we deploy or recording rules we define", () => {
    const unknown = allRules().flatMap((rule) => parsePromql(rule.expr).metrics.filter((name) => !isKnownMetric(name)).map((name) => `${rule.name}: ${name}`));
    expect(unknown).toEqual([]);
  });

  it("a metric check that can fail: an unknown name is reported", () => {
    expect(parsePromql('rate(cortex_made_up_total{job="x"}[5m])').metrics).toEqual(["cortex_made_up_total"]);
    expect(isKnownMetric("cortex_made_up_total")).toBe(false);
    expect(describeMetric("cortex_ingester_memory_series")).toEqual({ kind: "raw", sources: ["mimir"] });
    expect(describeMetric("cortex_request_duration_seconds_bucket")).toEqual({ kind: "raw", sources: ["mimir"] });
  });

  it("recording rule names follow level:metric:operations, level = the labels kept", () => {
    // The cache ratios keep the names they were specified with: level `cache`, labels cluster, namespace.
    const exceptions = new Set(["cache:query_frontend_result:hit_ratio", "cache:store_gateway_index:hit_ratio", "cache:store_gateway_chunks:hit_ratio"]);
    const problems: string[] = [];
    for (const group of RECORDING_GROUPS) {
      for (const rule of group.rules) {
        const parts = rule.record.split(":");
        // Operations may start with a digit (the mixin's `99quantile`).
        if (parts.length !== 3 || !/^[a-z][a-z0-9_]*$/.test(parts[0]!) || !/^[a-z][a-z0-9_]*$/.test(parts[1]!) || !/^[a-z0-9][a-z0-9_]*$/.test(parts[2]!)) {
          problems.push(`${rule.record}: not level:metric:operations`);
          continue;
        }
        if (exceptions.has(rule.record)) continue;
        const by = [...rule.expr.matchAll(/\bby\s*\(([^)]*)\)/g)].map((m) => m[1]!.split(",").map((l) => l.trim()).filter((l) => l !== "le"));
        const level = parts[0]!.split("_");
        if (!by.some((labels) => labels.join("_") === parts[0])) problems.push(`${rule.record}: level ${level.join(",")} is not an aggregation's label set`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("ruler groups stay within Mimir's per-tenant defaults (20 rules per group, 70 groups)", () => {
    const groups = [...recordingGroups("ruler").map(renderRecordingGroup), ...alertGroups(TEST_SETTINGS).map((g) => renderAlertGroup(g, TEST_SETTINGS))];
    expect(groups.length).toBeLessThanOrEqual(70);
    for (const group of groups) expect(group.rules.length, group.name).toBeLessThanOrEqual(20);
    expect(new Set(groups.map((g) => g.name)).size).toBe(groups.length);
  });
});

// ---------------------------------------------------------------------------------------------
// promtool unit tests (test/rules/*.test.yaml)

/**
 * The committed tests load `recording-shard.yaml`, `recording-ruler.yaml` and `alerts.yaml`, which
 * are committed next to them (so `cd test/rules && promtool test rules *.test.yaml` works as it is)
 * and rendered from the rule values with TEST_SETTINGS; a test below fails when they drift
 * (regenerate with `UPDATE_RULE_FIXTURES=1 npx vitest run test/rules.test.ts`). Annotations are left
 * out: promtool compares them verbatim, and they are checked above (presence) and by
 * `promtool check rules` (template syntax); the tests are about expressions and labels.
 */
function ruleFilesForTests(): Record<string, string> {
  const withoutAnnotations = (file: RuleFile): RuleFile => ({
    groups: file.groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _omit, ...rule }) => rule) })),
  });
  const header = "# Generated from src/rules/ for the promtool tests in this directory; see test/rules.test.ts.\n";
  return {
    "recording-shard.yaml": header + ruleFileYaml({ groups: recordingGroups("shard").map(renderRecordingGroup) }),
    "recording-ruler.yaml": header + ruleFileYaml({ groups: recordingGroups("ruler").map(renderRecordingGroup) }),
    "alerts.yaml": header + ruleFileYaml(withoutAnnotations({ groups: alertGroups(TEST_SETTINGS).map((g) => renderAlertGroup(g, TEST_SETTINGS)) })),
  };
}

const testFiles = readdirSync(TEST_DIR).filter((f) => f.endsWith(".test.yaml")).sort();

describe("promtool test rules", () => {
  const dir = TEST_DIR;
  beforeAll(() => {
    if (process.env.UPDATE_RULE_FIXTURES) {
      for (const [file, text] of Object.entries(ruleFilesForTests())) writeFileSync(path.join(TEST_DIR, file), text);
    }
  });

  it("the committed rule files the tests load are the current rules", () => {
    for (const [file, text] of Object.entries(ruleFilesForTests())) {
      expect(readFileSync(path.join(TEST_DIR, file), "utf8"), `test/rules/${file} is stale: UPDATE_RULE_FIXTURES=1 npx vitest run test/rules.test.ts`).toBe(text);
    }
  });

  // The files run in parallel (each promtool process is single-threaded).
  it.concurrent.each(testFiles)("%s passes", async (file) => {
    const result = await promtoolAsync(["test", "rules", file], dir);
    expect(result.status, result.output).toBe(0);
  });

  it("every alert has a firing and a not-firing case, every recording rule a value check", () => {
    const tests = testFiles.flatMap((file) => (load(readFileSync(path.join(TEST_DIR, file), "utf8")) as any).tests as any[]);
    const alertCases = tests.flatMap((t) => (t.alert_rule_test ?? []) as { alertname: string; exp_alerts?: unknown[] }[]);
    const firing = new Set(alertCases.filter((c) => (c.exp_alerts ?? []).length > 0).map((c) => c.alertname));
    const silent = new Set(alertCases.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => c.alertname));
    const alerts = new Set(alertGroups(TEST_SETTINGS).flatMap((g) => g.rules.map((r) => r.alert)));
    expect([...alerts].filter((a) => !firing.has(a)), "alerts without a firing case").toEqual([]);
    // Watchdog fires by design at every evaluation; its test proves exactly that.
    expect([...alerts].filter((a) => !silent.has(a) && a !== "Watchdog"), "alerts without a not-firing case").toEqual([]);
    const exprs = tests.flatMap((t) => ((t.promql_expr_test ?? []) as { expr: string }[]).map((c) => c.expr)).join("\n");
    const records = RECORDING_GROUPS.flatMap((g) => g.rules.map((r) => r.record));
    expect(records.filter((r) => !new RegExp(`\\b${r}\\b`).test(exprs)), "recording rules without a value check").toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Invariants (src/validate/rules-alerting.ts), on real output with one thing broken at a time

/** One environment's files as the validator sees them. */
const envFiles = (env: string) =>
  [...outcome.files]
    .filter(([file]) => file.startsWith(`dist/${env}/`) && !file.endsWith("kustomization.yaml"))
    .map(([file, text]) => ({ file, objects: (loadAll(text) as any[]).filter(Boolean) }));

describe("rules and alerting invariants", () => {
  const messages = (files: { file: string; objects: any[] }[]) => checkRulesAndAlerting(files).map((p) => p.message);
  const objectOf = (files: { objects: any[] }[], kind: string, name: string) => files.flatMap((f) => f.objects).find((o) => o.kind === kind && o.metadata.name === name);

  it.each(["local", "dev", "prod", "dr"])("hold for %s", (env) => {
    expect(checkRulesAndAlerting(envFiles(env))).toEqual([]);
  });

  it("a ruler without its rules mount is reported", () => {
    const files = envFiles("dev");
    const pod = objectOf(files, "Deployment", "ruler").spec.template.spec;
    pod.containers[0].volumeMounts = pod.containers[0].volumeMounts.filter((m: any) => !m.mountPath.startsWith("/etc/mimir-rules"));
    expect(messages(files)).toEqual(["runs the ruler with ruler_storage.local.directory /etc/mimir-rules but mounts no rule files there"]);
  });

  it("a rules ConfigMap mounted at the directory itself is reported", () => {
    const files = envFiles("dev");
    const mount = objectOf(files, "Deployment", "ruler").spec.template.spec.containers[0].volumeMounts.find((m: any) => m.mountPath.startsWith("/etc/mimir-rules"));
    mount.mountPath = "/etc/mimir-rules";
    expect(messages(files)[0]).toMatch(/^mounts \/etc\/mimir-rules: mount one ConfigMap per tenant/);
  });

  it("an alert in the recording PrometheusRule is reported", () => {
    const files = envFiles("prod");
    objectOf(files, "PrometheusRule", "mimir-recording-rules").spec.groups[0].rules.push({ alert: "X", expr: "vector(1)" });
    expect(messages(files)).toEqual(["alert X in a recording-only PrometheusRule: alerts belong to the ruler"]);
  });

  it("a receiver file no ExternalSecret provides is reported", () => {
    const files = envFiles("prod");
    const secret = objectOf(files, "ExternalSecret", "alertmanager-receivers");
    secret.spec.data = secret.spec.data.filter((d: any) => d.secretKey !== "dead-mans-switch-url");
    expect(messages(files)).toEqual([
      "the Alertmanager config reads /etc/alertmanager/secrets/dead-mans-switch-url, which no mounted Secret created by an ExternalSecret of this environment provides",
    ]);
  });
});

describe("ruler limits invariant", () => {
  it("a rule group larger than the tenant's ruler_max_rules_per_rule_group is reported", () => {
    const files = envFiles("dev");
    const runtime = files.flatMap((f) => f.objects).find((o) => o.kind === "ConfigMap" && o.metadata.name === "mimir-runtime");
    const doc = load(runtime.data["runtime.yaml"]) as any;
    doc.overrides.single = { ...doc.overrides.single, ruler_max_rules_per_rule_group: 5 };
    runtime.data["runtime.yaml"] = JSON.stringify(doc);
    const messages = checkRulesAndAlerting(files).map((p) => p.message);
    expect(messages).toContain("group mimir_alerts has 16 rules; tenant single's ruler_max_rules_per_rule_group is 5: split the group");
  });
});
