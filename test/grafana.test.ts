import { writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { parsePromql } from "./helpers/promql.js";
import { load, loadAll } from "js-yaml";
import { Chart, Testing } from "cdk8s";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../src/config/errors.js";
import { CACHE_DEFAULTS } from "../src/memcached/defaults.js";
import { describeMetric, isKnownMetric } from "../src/rules/metric-catalog.js";
import { synthesizeAll, synthesizeToDisk, type SynthOutcome } from "../src/synth/pipeline.js";
import { formatProblem } from "../src/validate/problem.js";
import { readTree } from "../src/diff/semantic-diff.js";
import { mimirDatasourceUid, stableUid, renderDatasources, tokenEnvVar } from "../src/grafana/datasources.js";
import { roleAttributePath } from "../src/grafana/grafana-ini.js";
import { parseIni, renderIni } from "../src/grafana/ini.js";
import { platformDashboards, type DashboardEnv } from "../src/grafana/dashboards/index.js";
import { RUNBOOK_PAGES } from "../src/grafana/dashboards/kit.js";
import { alertGroups, PLATFORM_SCOPE } from "../src/rules/rule-set.js";
import { service } from "../src/lib/service.js";
import { GATEWAY_ROUTES } from "../src/gateway/nginx-conf.js";
import { checkGrafana } from "../src/validate/grafana.js";
import { REPO_ROOT, scratchRepo } from "./helpers/cli.js";
import { envFile } from "./helpers/env-objects.js";

const ENVS = ["local", "dev", "prod", "dr"] as const;

type K8sObject = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string>; stringData?: Record<string, string> };

let outcome: SynthOutcome;
beforeAll(() => {
  outcome = synthesizeAll({ root: REPO_ROOT, envs: [] });
});

function grafanaObjects(env: string): K8sObject[] {
  const text = envFile(outcome.files, env, "grafana");
  if (!text) throw new Error(`no dist/${env}/grafana.yaml`);
  return loadAll(text) as K8sObject[];
}
const configMap = (env: string, name: string) => {
  const found = grafanaObjects(env).find((o) => o.kind === "ConfigMap" && o.metadata.name === name);
  if (!found) throw new Error(`${env}: no ConfigMap ${name}`);
  return found.data!;
};
const iniOf = (env: string) => parseIni(configMap(env, "grafana-config")["grafana.ini"]!);

interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; refId?: string; datasource?: { uid?: string } }[];
  links?: { url?: string }[];
  fieldConfig?: { defaults?: { unit?: string } };
}
interface DashboardJson {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query: { query: string } | string; datasource?: { uid?: string } }[] };
}

/** Every dashboard of an environment, as Grafana reads them from the mounted ConfigMaps. */
function dashboards(env: string): { folder: string; dashboard: DashboardJson }[] {
  return grafanaObjects(env)
    .filter((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("grafana-dashboards-"))
    .flatMap((o) => Object.values(o.data!).map((text) => ({ folder: o.metadata.name, dashboard: JSON.parse(text) as DashboardJson })));
}

/** Grafana's built-in variables, with a value of the right type for the parser. */
const BUILTINS: Record<string, string> = { __rate_interval: "5m", __interval: "1m", __range: "1h", __range_s: "3600" };

/** Replaces `$name` / `${name}` by a stand-in value; returns the text and the variable names used. */
function substitute(expr: string): { text: string; used: string[] } {
  const used: string[] = [];
  const text = expr.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => {
    used.push(name);
    return BUILTINS[name] ?? "x";
  });
  return { text, used };
}

/** The PromQL inside a variable query such as `label_values(metric{…}, label)`. */
function variableSelector(query: string): string {
  const match = /^label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(query);
  if (!match) throw new Error(`unsupported variable query: ${query}`);
  return match[1]!;
}

/** Every problem of one dashboard: parse errors, unknown metrics or variables, datasources, ids, titles, units, links. */
function checkDashboard(dashboard: DashboardJson, datasourceUids: ReadonlySet<string>, runbookBaseUrl: string): string[] {
  const problems: string[] = [];
  const where = (panel: Panel) => `${dashboard.uid} / panel ${panel.id} "${panel.title ?? ""}"`;
  const defined = new Set([...Object.keys(BUILTINS), ...dashboard.templating.list.map((v) => v.name)]);
  const checkExpr = (label: string, expr: string) => {
    const { text, used } = substitute(expr);
    for (const name of used) if (!defined.has(name)) problems.push(`${label}: variable $${name} is not defined`);
    const parsed = parsePromql(text);
    if (parsed.errors > 0) problems.push(`${label}: does not parse as PromQL: ${expr}`);
    for (const metric of parsed.metrics) if (!isKnownMetric(metric)) problems.push(`${label}: unknown metric ${metric}`);
  };
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === "string" ? variable.query : variable.query.query;
    checkExpr(`${dashboard.uid} / variable ${variable.name}`, variableSelector(query));
    if (!datasourceUids.has(variable.datasource?.uid ?? "")) problems.push(`${dashboard.uid} / variable ${variable.name}: datasource ${variable.datasource?.uid} is not provisioned`);
  }
  const ids = new Set<number>();
  for (const panel of dashboard.panels) {
    if (panel.id === undefined) problems.push(`${dashboard.uid}: a panel has no id`);
    else if (ids.has(panel.id)) problems.push(`${dashboard.uid}: panel id ${panel.id} is used twice`);
    else ids.add(panel.id);
    if (!panel.title) problems.push(`${where(panel)}: no title`);
    if (panel.type === "row") continue;
    if (!panel.fieldConfig?.defaults?.unit) problems.push(`${where(panel)}: no unit`);
    if (!panel.links?.some((link) => link.url?.startsWith(`${runbookBaseUrl}/`))) problems.push(`${where(panel)}: no runbook link`);
    if (!panel.targets?.length) problems.push(`${where(panel)}: no query`);
    for (const uid of [panel.datasource?.uid, ...(panel.targets ?? []).map((t) => t.datasource?.uid)]) {
      if (!datasourceUids.has(uid ?? "")) problems.push(`${where(panel)}: datasource ${uid} is not provisioned`);
    }
    for (const target of panel.targets ?? []) checkExpr(`${where(panel)} query ${target.refId}`, target.expr ?? "");
  }
  return problems;
}

function provisionedUids(env: string): Set<string> {
  const doc = load(configMap(env, "grafana-datasources")["datasources.yaml"]!) as { datasources: { uid: string }[] };
  return new Set(doc.datasources.map((ds) => ds.uid));
}

describe.each(ENVS)("dashboards of %s", (env) => {
  const runbookBase = () => (env === "local" ? "https://runbooks.obs.localhost.localdomain" : `https://runbooks.${env === "prod" ? "" : `${env}.`}obs.acme.example`);

  it("are all checked: queries parse, metrics and variables are known, datasources provisioned, ids unique, titles/units/runbooks set", () => {
    const all = dashboards(env);
    expect(all.length).toBeGreaterThanOrEqual(6);
    const uids = provisionedUids(env);
    const problems = all.flatMap(({ dashboard }) => checkDashboard(dashboard, uids, runbookBase()));
    expect(problems).toEqual([]);
  });

  it("link every panel to the runbook of an alert the rules define (or a named runbook page)", () => {
    const settings = { runbookBaseUrl: runbookBase(), clusterLabel: "c", scope: PLATFORM_SCOPE, cacheObjectives: { results: 0.6, index: 0.7, chunks: 0.7 } };
    const pages = new Set<string>([...RUNBOOK_PAGES, ...alertGroups(settings).flatMap((group) => group.rules.map((rule) => rule.alert))]);
    const bad = dashboards(env).flatMap(({ dashboard }) =>
      dashboard.panels
        .filter((panel) => panel.type !== "row")
        .flatMap((panel) => (panel.links ?? []).map((link) => link.url!.slice(runbookBase().length + 1)))
        .filter((page) => !pages.has(page))
        .map((page) => `${dashboard.uid}: ${page}`),
    );
    expect(bad).toEqual([]);
  });

  it("have cluster and namespace variables, tenant where per-tenant, and land in the Platform and Tenants folders", () => {
    for (const { folder, dashboard } of dashboards(env)) {
      const names = dashboard.templating.list.map((v) => v.name);
      expect(names, dashboard.uid).toEqual(expect.arrayContaining(["cluster", "namespace"]));
      if (folder === "grafana-dashboards-tenants") expect(names, dashboard.uid).toContain("tenant");
    }
    const folders = new Set(dashboards(env).map((d) => d.folder));
    expect([...folders].sort()).toEqual(["grafana-dashboards-platform", "grafana-dashboards-tenants"]);
  });
});

describe("dashboard checks can fail", () => {
  const env: DashboardEnv = { datasourceUid: "mimir-single", runbookBaseUrl: "https://runbooks.test", cacheObjectives: { results: 0.6 }, writePath: true };
  const base = platformDashboards(env)[0]!.dashboard as unknown as DashboardJson;
  const broken = (edit: (panel: Panel) => void): string[] => {
    const copy = JSON.parse(JSON.stringify(base)) as DashboardJson;
    edit(copy.panels.find((panel) => panel.type !== "row")!);
    return checkDashboard(copy, new Set(["mimir-single"]), "https://runbooks.test");
  };
  const first = base.panels.find((panel) => panel.type !== "row")!;
  const label = `platform-overview / panel ${first.id} "${first.title}"`;

  it("the unmodified dashboard passes", () => {
    expect(checkDashboard(base, new Set(["mimir-single"]), "https://runbooks.test")).toEqual([]);
  });
  it.each([
    ["an unknown metric, naming dashboard and panel", (p: Panel) => (p.targets![0]!.expr = "sum(rate(cortex_made_up_total[5m]))"), `${label} query A: unknown metric cortex_made_up_total`],
    ["a query that does not parse", (p: Panel) => (p.targets![0]!.expr = "sum(rate(up[5m])"), `${label} query A: does not parse as PromQL: sum(rate(up[5m])`],
    ["an undefined variable", (p: Panel) => (p.targets![0]!.expr = 'up{pod=~"$pod"}'), `${label} query A: variable $pod is not defined`],
    ["a datasource that is not provisioned", (p: Panel) => (p.datasource = { uid: "mimir-nobody" }), `${label}: datasource mimir-nobody is not provisioned`],
    ["a panel without a unit", (p: Panel) => delete p.fieldConfig!.defaults!.unit, `${label}: no unit`],
    ["a duplicate panel id", (p: Panel) => (p.id = base.panels[0]!.id), `platform-overview: panel id ${base.panels[0]!.id} is used twice`],
  ])("reports %s", (_name, edit, expected) => {
    expect(broken(edit)).toContain(expected);
  });

  it("the caches dashboard draws each enabled cache's objective, and only enabled caches", () => {
    const caches = platformDashboards({ ...env, cacheObjectives: { results: 0.6, chunks: 0.75 } }).find((d) => d.dashboard.uid === "platform-caches")!;
    const panels = (caches.dashboard as unknown as { panels: { title: string; fieldConfig: { defaults: { thresholds?: { steps: { value: number | null }[] } } } }[] }).panels;
    const ratios = panels.filter((p) => p.title.endsWith("hit ratio"));
    expect(ratios.map((p) => p.title)).toEqual(["Results cache (query-frontend) hit ratio", "Chunks cache (store-gateway) hit ratio"]);
    expect(ratios.map((p) => p.fieldConfig.defaults.thresholds!.steps[1]!.value)).toEqual([0.6, 0.75]);
    expect(CACHE_DEFAULTS.results.hitRatioObjective).toBe(0.6);
  });

  it("the metric catalogue knows the names the dashboards rely on", () => {
    expect(describeMetric("cluster_namespace_user:cortex_ingester_active_series:sum_dedup")).toEqual({ kind: "recording" });
    expect(isKnownMetric("cortex_made_up_total")).toBe(false);
  });
});

describe("datasources", () => {
  it("one Prometheus datasource per tenant through the gateway, token from the environment, POST, exemplars to Tempo", () => {
    const doc = load(configMap("prod", "grafana-datasources")["datasources.yaml"]!) as { datasources: any[] };
    const prometheus = doc.datasources.filter((ds) => ds.type === "prometheus");
    expect(prometheus.map((ds) => ds.uid)).toEqual(["mimir-single", "mimir-team-payments", "mimir-team-search"]);
    for (const ds of prometheus) {
      // mTLS in prod: the gateway's TLS port, Grafana's client certificate from the mounted Secret.
      expect(ds.url).toBe("https://gateway.mimir.svc.cluster.local:443/prometheus");
      expect(ds.jsonData).toMatchObject({ tlsAuth: true, tlsAuthWithCACert: true });
      expect(ds.secureJsonData).toMatchObject({
        tlsClientCert: "$__file{/etc/grafana/secrets/client-tls/tls.crt}",
        tlsClientKey: "$__file{/etc/grafana/secrets/client-tls/tls.key}",
        tlsCACert: "$__file{/etc/grafana/secrets/client-tls/ca.crt}",
      });
      expect(ds.jsonData.httpMethod).toBe("POST");
      expect(ds.jsonData.exemplarTraceIdDestinations).toEqual([{ name: "trace_id", datasourceUid: "tempo" }]);
      expect(ds.secureJsonData.httpHeaderValue1).toMatch(/^Bearer \$__env\{GF_DS_TOKEN_[A-Z_]+\}$/);
    }
    expect(prometheus.filter((ds) => ds.isDefault).map((ds) => ds.uid)).toEqual(["mimir-single"]);
    expect(doc.datasources.find((ds) => ds.type === "alertmanager")).toMatchObject({ uid: "mimir-alertmanager", jsonData: { implementation: "mimir" } });
    expect(doc.datasources.find((ds) => ds.type === "tempo")).toMatchObject({ uid: "tempo", jsonData: { tracesToMetrics: { datasourceUid: "mimir-single" } } });
  });

  it("every token env var the datasources expand is set in the Deployment from the tokens Secret", () => {
    for (const env of ENVS) {
      const yaml = configMap(env, "grafana-datasources")["datasources.yaml"]!;
      const wanted = [...yaml.matchAll(/\$__env\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!);
      const deployment = grafanaObjects(env).find((o) => o.kind === "Deployment")!;
      const envVars = deployment.spec.template.spec.containers[0].env as { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
      for (const name of wanted) {
        expect(envVars.find((v) => v.name === name)?.valueFrom?.secretKeyRef?.name, `${env}: ${name}`).toBe("grafana-datasource-tokens");
      }
    }
  });

  it("reads tokens from the same secret-store entries as the gateway (ExternalSecret), or the dev-only Secret locally", () => {
    const tokens = grafanaObjects("prod").find((o) => o.kind === "ExternalSecret" && o.metadata.name === "grafana-datasource-tokens")!;
    expect(tokens.spec.data).toContainEqual({ secretKey: "token-team-payments", remoteRef: { key: "observability/prod/gateway-tokens", property: "team-payments" } });
    const local = grafanaObjects("local").find((o) => o.kind === "Secret" && o.metadata.name === "grafana-datasource-tokens")!;
    expect(local.metadata.labels!["observability-platform/dev-only"]).toBe("true");
    expect(grafanaObjects("prod").some((o) => o.kind === "Secret")).toBe(false);
  });

  it("the Alertmanager datasource points at the gateway's base URL, whose routes cover the paths Grafana's Mimir implementation appends", () => {
    const doc = load(configMap("prod", "grafana-datasources")["datasources.yaml"]!) as { datasources: { type: string; url: string }[] };
    expect(doc.datasources.find((ds) => ds.type === "alertmanager")!.url).toBe("https://gateway.mimir.svc.cluster.local:443");
    // No mTLS locally: the plaintext port, no client certificate.
    const local = load(configMap("local", "grafana-datasources")["datasources.yaml"]!) as { datasources: { type: string; url: string; jsonData: object; secureJsonData?: object }[] };
    expect(local.datasources.find((ds) => ds.type === "alertmanager")!.url).toBe("http://gateway.mimir.svc.cluster.local:80");
    for (const ds of local.datasources) expect(JSON.stringify(ds)).not.toMatch(/tlsAuth|tlsClient|\$__file/);
    // Grafana calls <url>/alertmanager/api/v2/... (alerts, silences, status) and <url>/api/v1/alerts (configuration).
    const routed = (path: string) => GATEWAY_ROUTES.some((r) => r.target === "alertmanager" && (r.match === "=" ? r.path === path : path.startsWith(r.path)));
    expect(routed("/alertmanager/api/v2/status")).toBe(true);
    expect(routed("/api/v1/alerts")).toBe(true);
  });

  it("DR has no Alertmanager datasource (no Alertmanager runs there)", () => {
    const doc = load(configMap("dr", "grafana-datasources")["datasources.yaml"]!) as { datasources: { type: string }[] };
    expect(doc.datasources.map((ds) => ds.type)).not.toContain("alertmanager");
  });

  it("UIDs are stable, short and derived from names; env var names never collide silently", () => {
    expect(mimirDatasourceUid("team-payments")).toBe("mimir-team-payments");
    const long = mimirDatasourceUid("a".repeat(60));
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toBe(mimirDatasourceUid("a".repeat(60)));
    expect(stableUid("Mimir_X")).not.toBe(stableUid("mimir-x"));
    expect(tokenEnvVar("team-a")).toBe("GF_DS_TOKEN_TEAM_A");
    const chart = new Chart(Testing.app(), "test", { namespace: "mimir" });
    const gateway = service(chart, { name: "gateway", labels: {}, selector: { a: "b" }, ports: [{ name: "http", port: 80 }] });
    expect(() => renderDatasources({ gateway, tenants: ["team-a", "team_a"] })).toThrow(/same environment variable GF_DS_TOKEN_TEAM_A/);
  });
});

describe("grafana.ini", () => {
  it("parses and carries root URL, OIDC, role mapping, JSON logs, no admin and no analytics (prod)", () => {
    const ini = iniOf("prod");
    expect(ini.server).toMatchObject({ root_url: "https://grafana.obs.acme.example", router_logging: "true" });
    expect(ini["auth.generic_oauth"]).toMatchObject({
      enabled: "true",
      client_id: "observability-grafana-prod",
      client_secret: "$__file{/etc/grafana/secrets/oauth/client-secret}",
      auth_url: "https://login.acme.example/oauth2/default/v1/authorize",
      token_url: "https://login.acme.example/oauth2/default/v1/token",
      api_url: "https://login.acme.example/oauth2/default/v1/userinfo",
      groups_attribute_path: "groups",
      allowed_groups: "engineering,observability-admins,observability-engineers",
      role_attribute_strict: "true",
    });
    expect(ini["log.console"]).toEqual({ format: "json" });
    expect(ini.security!.disable_initial_admin_creation).toBe("true");
    expect(ini.security!.secret_key).toBe("$__file{/etc/grafana/secrets/secret-key/secret-key}");
    expect(ini.auth).toMatchObject({ disable_login_form: "true" });
    expect(ini["auth.basic"]).toEqual({ enabled: "false" });
    expect(ini["auth.anonymous"]).toEqual({ enabled: "false" });
    expect(ini.analytics).toMatchObject({ reporting_enabled: "false", check_for_updates: "false" });
    expect(ini.database).toMatchObject({ type: "postgres", host: "acme-obs-prod-grafana.c0ffee123456.eu-west-1.rds.amazonaws.com:5432", name: "grafana" });
  });

  it("local: SQLite, anonymous viewers only, no OIDC", () => {
    const ini = iniOf("local");
    expect(ini.database).toMatchObject({ type: "sqlite3" });
    expect(ini["auth.anonymous"]).toMatchObject({ enabled: "true", org_role: "Viewer" });
    expect(ini["auth.generic_oauth"]).toEqual({ enabled: "false" });
    expect(ini.auth).toMatchObject({ disable_login_form: "true" });
    const config = grafanaObjects("local").find((o) => o.metadata.name === "grafana-config")!;
    expect(config.metadata.labels!["observability-platform/dev-only"]).toBe("true");
    expect(grafanaObjects("prod").find((o) => o.metadata.name === "grafana-config")!.metadata.labels).not.toHaveProperty("observability-platform/dev-only");
  });

  it("maps groups to the highest role, with no fallback role", () => {
    const path = roleAttributePath({ groupsClaim: "groups", roleMapping: { viewers: "Viewer", admins: "Admin", editors: "Editor" } });
    expect(path).toBe("(contains(groups[*], 'admins')) && 'Admin' || (contains(groups[*], 'editors')) && 'Editor' || (contains(groups[*], 'viewers')) && 'Viewer'");
  });

  it("the ini reader rejects malformed text and the writer refuses values it cannot write", () => {
    expect(() => parseIni("[a]\nno equals sign\n")).toThrow(/line 2/);
    expect(() => parseIni("[a]\nx = 1\nx = 2\n")).toThrow(/appears twice/);
    expect(() => renderIni({ a: { x: "multi\nline" } })).toThrow(/cannot be written unquoted/);
    expect(parseIni(renderIni({ a: { x: 1, y: true, z: undefined } }))).toEqual({ "": {}, a: { x: "1", y: "true" } });
  });
});

describe("Grafana workload", () => {
  const deployment = (env: string) => grafanaObjects(env).find((o) => o.kind === "Deployment")!;

  it("prod: 2 replicas with a PDB, IRSA, read-only root filesystem with emptyDir writable paths, probes on /api/health", () => {
    const spec = deployment("prod").spec;
    expect(spec.replicas).toBe(2);
    expect(grafanaObjects("prod").some((o) => o.kind === "PodDisruptionBudget")).toBe(true);
    const sa = grafanaObjects("prod").find((o) => o.kind === "ServiceAccount") as any;
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toBe("arn:aws:iam::123456789012:role/acme-obs-prod-grafana");
    const container = spec.template.spec.containers[0];
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.readinessProbe.httpGet.path).toBe("/api/health");
    expect(container.resources.limits.memory).toBeDefined();
    const emptyDirs = spec.template.spec.volumes.filter((v: any) => v.emptyDir).map((v: any) => v.name);
    const writable = container.volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.name);
    expect(writable.sort()).toEqual(emptyDirs.sort());
  });

  it("local and dev: 1 replica and no PDB", () => {
    for (const env of ["local", "dev"]) {
      expect(deployment(env).spec.replicas).toBe(1);
      expect(grafanaObjects(env).some((o) => o.kind === "PodDisruptionBudget")).toBe(false);
    }
  });

  it("no secret value outside local: only ExternalSecrets, and no password in any grafana.ini", () => {
    for (const env of ["dev", "prod", "dr"]) {
      const kinds = grafanaObjects(env).map((o) => o.kind);
      expect(kinds).not.toContain("Secret");
      expect(kinds.filter((k) => k === "ExternalSecret")).toHaveLength(4);
    }
    for (const env of ENVS) {
      const ini = iniOf(env);
      expect(ini.security!.admin_password).toBeUndefined();
      expect(ini.database!.password ?? "$__file{").toMatch(/^\$__file\{/);
    }
  });
});

describe("bad grafana config: clear error, nothing written", () => {
  const scratch = scratchRepo();
  afterAll(() => scratch.cleanup());
  const FILE = "overlays/prod/config.yaml";
  const OUTPUTS = "overlays/prod/terraform-outputs.json";
  const original = { config: readFileSync(path.join(REPO_ROOT, FILE), "utf8"), outputs: readFileSync(path.join(REPO_ROOT, OUTPUTS), "utf8") };
  let before: Awaited<ReturnType<typeof readTree>>;
  beforeAll(async () => {
    before = await readTree(scratch.root, ["dist", "argocd", "flux"]);
  });

  /** Synthesizes the scratch repo with edited prod inputs; returns the reported problems. */
  async function reported(editConfig: (c: any) => void, editOutputs: (o: any) => void = () => {}): Promise<string[]> {
    const config = load(original.config) as any;
    const outputs = JSON.parse(original.outputs);
    editConfig(config);
    editOutputs(outputs);
    writeFileSync(path.join(scratch.root, FILE), JSON.stringify(config));
    writeFileSync(path.join(scratch.root, OUTPUTS), JSON.stringify(outputs));
    let problems: string[] = [];
    try {
      synthesizeToDisk({ root: scratch.root, envs: ["prod"] });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems.map(formatProblem);
    } finally {
      writeFileSync(path.join(scratch.root, FILE), original.config);
      writeFileSync(path.join(scratch.root, OUTPUTS), original.outputs);
    }
    expect(await readTree(scratch.root, ["dist", "argocd", "flux"])).toEqual(before);
    return problems;
  }

  it.each([
    ["issuer not a URL", (c: any) => (c.grafana.oidc.issuerUrl = "login.acme.example"), `${FILE}: grafana.oidc.issuerUrl: must be an http(s) URL`],
    ["issuer over plain http", (c: any) => (c.grafana.oidc.issuerUrl = "http://login.acme.example"), `${FILE}: grafana.oidc.issuerUrl: must be an https URL: the client secret is sent to the IdP`],
    [
      "endpoint on another host",
      (c: any) => (c.grafana.oidc.tokenUrl = "https://evil.example/token"),
      `${FILE}: grafana.oidc.tokenUrl: must be on the issuer's host login.acme.example (got evil.example): endpoints of another IdP cannot validate its tokens`,
    ],
    [
      "unknown role",
      (c: any) => (c.grafana.oidc.roleMapping.engineering = "Owner"),
      `${FILE}: grafana.oidc.roleMapping.engineering: unknown role "Owner" (known: Admin, Editor, Viewer)`,
    ],
    [
      "missing secret_key reference",
      (c: any) => delete c.grafana.secretKey,
      `${FILE}: grafana.secretKey: required outside the local environment: Grafana's built-in secret_key is public, and it encrypts the datasource tokens in the database`,
    ],
    ["missing client secret reference", (c: any) => delete c.grafana.oidc.clientSecret, `${FILE}: grafana.oidc.clientSecret: required field is missing`],
    [
      "tenant datasource without a token reference",
      (c: any) => (c.gateway.tokens = c.gateway.tokens.filter((t: any) => t.tenant !== "team-search")),
      `${FILE}: grafana.tenants[2]: tenant "team-search" has no token reference in gateway.tokens: its datasource would have no secret to authenticate with`,
    ],
    ["unknown tenant", (c: any) => (c.grafana.tenants = ["single", "team-serch"]), `${FILE}: grafana.tenants[1]: unknown tenant "team-serch" (did you mean "team-search"?; known: single, team-payments, team-search)`],
    [
      "datasource tenants without the default tenant",
      (c: any) => (c.grafana.tenants = ["team-payments"]),
      `${FILE}: grafana.tenants: must include the default tenant "single": the platform dashboards read the platform's own metrics through its datasource`,
    ],
    ["no login method outside local", (c: any) => delete c.grafana.oidc, `${FILE}: grafana.oidc: required outside the local environment: users log in through the IdP`],
    [
      "anonymous access outside local",
      (c: any) => (c.grafana.devOnlyAnonymousViewer = true),
      `${FILE}: grafana.devOnlyAnonymousViewer: anonymous access is only allowed for the local (monolithic) environment; configure grafana.oidc`,
    ],
    [
      "missing database credentials reference",
      (c: any) => delete c.grafana.database,
      `${FILE}: grafana.database: required: ${OUTPUTS} names Grafana's database (grafana_database_endpoint), so Grafana needs a secret reference for its credentials ({remoteKey, usernameProperty, passwordProperty})`,
    ],
    ["group name with a quote", (c: any) => (c.grafana.oidc.roleMapping["o'brien"] = "Viewer"), `${FILE}: grafana.oidc.roleMapping["o'brien"]: group names may use A-Z a-z 0-9 . _ : @ / = + - (no spaces, commas or quotes)`],
  ])("rejects %s", async (_name, edit, expected) => {
    expect(await reported(edit)).toContain(expected);
  });

  it("rejects 2 replicas without the Terraform database outputs", async () => {
    const problems = await reported(
      () => {},
      (o) => {
        delete o.grafana_database_endpoint;
        delete o.grafana_database_name;
      },
    );
    expect(problems).toContain(
      `${OUTPUTS}: grafana_database_endpoint: required output is missing: 2 Grafana replicas need the shared PostgreSQL database (each replica would otherwise keep its own SQLite users and sessions)`,
    );
  });

  it("rejects a database endpoint without its name, and a malformed endpoint", async () => {
    expect(await reported(() => {}, (o) => delete o.grafana_database_name)).toContain(
      `${OUTPUTS}: grafana_database_name: grafana_database_endpoint and grafana_database_name must be output together`,
    );
    expect(await reported(() => {}, (o) => (o.grafana_database_endpoint.value = "postgres://db:5432"))).toContain(
      `${OUTPUTS}: grafana_database_endpoint.value: must be a host name with an optional port, such as grafana.abc123.eu-west-1.rds.amazonaws.com:5432`,
    );
  });
});

describe("synth-time Grafana invariants (src/validate/grafana.ts)", () => {
  const files = (env: string) => [{ file: `dist/${env}/grafana.yaml`, objects: grafanaObjects(env) as unknown[] }];

  it("hold in every environment", () => {
    for (const env of ENVS) expect(checkGrafana(files(env)), env).toEqual([]);
  });

  /** Edits the first platform dashboard of prod and returns the messages. */
  const messagesAfter = (edit: (dashboard: any, objects: K8sObject[]) => void): string[] => {
    const objects = JSON.parse(JSON.stringify(grafanaObjects("prod"))) as K8sObject[];
    const map = objects.find((o) => o.metadata.name === "grafana-dashboards-platform")!;
    const key = Object.keys(map.data!)[0]!;
    const dashboard = JSON.parse(map.data![key]!);
    edit(dashboard, objects);
    map.data![key] = JSON.stringify(dashboard);
    return checkGrafana([{ file: "dist/prod/grafana.yaml", objects }]).map((p) => p.message);
  };

  it.each([
    ["an unprovisioned datasource", (d: any) => (d.panels[1].targets[0].datasource = { uid: "mimir-nobody" }), /datasource "mimir-nobody" is not provisioned in this environment/],
    ["an undefined variable", (d: any) => (d.panels[1].targets[0].expr = 'up{pod="$pod"}'), /uses \$pod, which the dashboard does not define/],
    ["a duplicate panel id", (d: any) => (d.panels[2].id = d.panels[1].id), /panel id \d+ is used twice/],
    [
      "a datasource token variable the container does not set",
      (_d: any, objects: K8sObject[]) => {
        const deployment = objects.find((o) => o.kind === "Deployment")!;
        deployment.spec.template.spec.containers[0].env = deployment.spec.template.spec.containers[0].env.filter((e: any) => e.name !== "GF_DS_TOKEN_TEAM_SEARCH");
      },
      /expands \$__env\{GF_DS_TOKEN_TEAM_SEARCH\}, which the grafana container does not set/,
    ],
  ])("report %s", (_name, edit, expected) => {
    expect(messagesAfter(edit).some((m) => expected.test(m)), messagesAfter(edit).join("\n")).toBe(true);
  });
});
