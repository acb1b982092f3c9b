import { ConfigError } from "../config/errors.js";
import { grafanaTenants } from "../config/grafana-schema.js";
import type { CacheName } from "../config/schema.js";
import { CACHE_NAMES } from "../config/schema.js";
import { CACHE_DEFAULTS } from "../memcached/defaults.js";
import { byCodeUnit } from "../lib/order.js";
import type { Family, FamilyContext } from "../synth/family.js";
import { platformDashboards, type DashboardEnv } from "./dashboards/index.js";
import { mimirDatasourceUid } from "./datasources.js";
import { gatewayClientTls } from "../lib/mtls.js";
import { Grafana, GRAFANA_NAMES, type TokenSource } from "./grafana.js";

/** Hit-ratio objective of every enabled cache. */
function cacheObjectives(ctx: FamilyContext): Partial<Record<CacheName, number>> {
  const objectives: Partial<Record<CacheName, number>> = {};
  for (const name of CACHE_NAMES) {
    const settings = ctx.config.caches[name];
    if (settings?.enabled === false) continue;
    objectives[name] = settings?.hitRatioObjective ?? CACHE_DEFAULTS[name].hitRatioObjective;
  }
  return objectives;
}

/** Where each datasource tenant's token comes from: the same secret-store entry the gateway reads, or the dev-only token. */
function tenantTokens(ctx: FamilyContext, tenants: readonly string[]): Map<string, TokenSource> {
  const { gateway } = ctx.config;
  const devOnly = Object.keys(gateway.devOnlyTokens ?? {}).sort(byCodeUnit);
  return new Map(
    tenants.map((tenant): [string, TokenSource] => {
      const ref = gateway.tokens.find((token) => token.tenant === tenant);
      if (ref) return [tenant, { kind: "secret-store", ref: { remoteKey: ref.remoteKey, property: ref.property } }];
      const token = devOnly.find((candidate) => gateway.devOnlyTokens![candidate] === tenant);
      if (token) return [tenant, { kind: "dev-only", token }];
      // The config schema already rejects this; kept as a guard for callers that bypass it.
      throw new Error(`grafana: tenant "${tenant}" has no gateway token`);
    }),
  );
}

/** Checks between the grafana section and the Terraform outputs. */
function checkInfra(ctx: FamilyContext): void {
  const { config, infra } = ctx;
  const settings = config.grafana!;
  const configFile = `overlays/${config.envName}/config.yaml`;
  const outputsFile = `overlays/${config.envName}/terraform-outputs.json`;
  const problems = [];
  if (settings.replicas > 1 && !infra?.grafanaDatabase) {
    problems.push({
      file: infra ? outputsFile : configFile,
      path: infra ? "grafana_database_endpoint" : "grafana.replicas",
      message: `${infra ? "required output is missing" : "must be 1 here"}: ${settings.replicas} Grafana replicas need the shared PostgreSQL database (each replica would otherwise keep its own SQLite users and sessions)`,
    });
  }
  if (infra?.grafanaDatabase && !settings.database) {
    problems.push({
      file: configFile,
      path: "grafana.database",
      message: `required: ${outputsFile} names Grafana's database (grafana_database_endpoint), so Grafana needs a secret reference for its credentials ({remoteKey, usernameProperty, passwordProperty})`,
    });
  }
  if (settings.database && !infra?.grafanaDatabase) {
    problems.push({
      file: configFile,
      path: "grafana.database",
      message: `has no effect: ${outputsFile} has no grafana_database_endpoint/grafana_database_name, so Grafana runs on SQLite`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * Grafana with OIDC login, one datasource per tenant through the tenancy gateway, and the platform's
 * dashboards provisioned read-only from ConfigMaps.
 */
export const grafanaFamily: Family = {
  name: "grafana",
  layer: "alerting",
  build(ctx): void {
    const { config, infra } = ctx;
    if (!config.grafana) return;
    checkInfra(ctx);
    const mimir = ctx.need("mimir");
    const tenants = grafanaTenants({ grafana: config.grafana, defaultTenant: config.defaultTenant });
    // The platform's own metrics live in the default tenant (the schema requires it in the list): its
    // datasource comes first, is Grafana's default, and is the one the dashboards use.
    const platformTenant = config.defaultTenant;
    const ordered = [platformTenant, ...tenants.filter((tenant) => tenant !== platformTenant)];
    const env: DashboardEnv = {
      datasourceUid: mimirDatasourceUid(platformTenant),
      runbookBaseUrl: config.runbookBaseUrl.replace(/\/+$/, ""),
      cacheObjectives: cacheObjectives(ctx),
      writePath: mimir.write !== undefined,
    };
    const gateway = ctx.need("gateway");
    const grafana = new Grafana(ctx.chart("grafana"), "grafana", {
      instance: ctx.names.instance,
      settings: config.grafana,
      rootUrl: config.grafanaRootUrl,
      gateway,
      tenantTokens: tenantTokens(ctx, ordered),
      alertmanagerTenant: mimir.alertmanager ? platformTenant : undefined,
      dashboards: platformDashboards(env),
      database: infra?.grafanaDatabase,
      roleArn: infra?.grafanaRoleArn,
      secretStore: config.secretStore,
      clientTls: gatewayClientTls(gateway, GRAFANA_NAMES.deployment),
    });
    ctx.publish("grafana", grafana.service);
  },
};
