/**
 * Grafana's datasource provisioning file. Every Mimir datasource goes through the tenancy gateway
 * with one tenant's bearer token; the token is never in the file: Grafana expands
 * `$__env{GF_DS_TOKEN_…}` from an environment variable filled from a Secret.
 */
import { createHash } from "node:crypto";
import { dump } from "js-yaml";
import { gatewayUrl, TLS_SECRET_KEYS } from "../lib/mtls.js";
import type { ServiceRef } from "../lib/service-ref.js";

/** Grafana limits datasource and dashboard UIDs to 40 characters. */
export const MAX_UID_LENGTH = 40;

/**
 * A stable UID derived from a name: the name itself when it is short and safe, else a readable
 * prefix plus a hash, so a dashboard can reference it without asking Grafana.
 */
export function stableUid(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length <= MAX_UID_LENGTH && slug === name) return slug;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${slug.slice(0, MAX_UID_LENGTH - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** UID of the Prometheus datasource of a tenant. */
export function mimirDatasourceUid(tenant: string): string {
  return stableUid(`mimir-${tenant}`);
}
export const ALERTMANAGER_DATASOURCE_UID = stableUid("mimir-alertmanager");
export const TEMPO_DATASOURCE_UID = stableUid("tempo");

/** Environment variable holding a tenant's gateway token inside the Grafana container. */
export function tokenEnvVar(tenant: string): string {
  return `GF_DS_TOKEN_${tenant.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** Key of a tenant's token in the datasource-tokens Secret. */
export function tokenSecretKey(tenant: string): string {
  return `token-${tenant}`;
}

export interface DatasourcesInput {
  readonly gateway: ServiceRef;
  /** Tenants with a datasource; the first one is the platform's own (the default datasource). */
  readonly tenants: readonly string[];
  /** Tenant whose Alertmanager Grafana shows; absent when no Alertmanager runs (read-only DR). */
  readonly alertmanagerTenant?: string;
  readonly tempo?: { readonly url: string; readonly traceIdLabel: string };
  /**
   * mTLS: directory of the mounted client certificate Secret (tls.crt, tls.key, ca.crt). The gateway
   * datasources then use https with the client certificate, and verify the gateway against the CA.
   */
  readonly clientTlsDir?: string;
}

export interface ProvisionedDatasource {
  readonly name: string;
  readonly uid: string;
  readonly type: string;
}

export interface Datasources {
  readonly yaml: string;
  readonly provisioned: readonly ProvisionedDatasource[];
}

/** The datasources.yaml provisioning file, and what it provisions (for the dashboard checks). */
export function renderDatasources(input: DatasourcesInput): Datasources {
  const [platformTenant] = input.tenants;
  if (!platformTenant) throw new Error("grafana: at least one tenant needs a datasource");
  const envVars = new Map<string, string>();
  for (const tenant of input.tenants) {
    const name = tokenEnvVar(tenant);
    const other = envVars.get(name);
    if (other !== undefined) throw new Error(`grafana: tenants "${other}" and "${tenant}" map to the same environment variable ${name}`);
    envVars.set(name, tenant);
  }
  const bearer = (tenant: string) => `Bearer $__env{${tokenEnvVar(tenant)}}`;
  const url = (path: string) => gatewayUrl(input.gateway, path);
  // Grafana expands $__file{…} when it provisions (at start), so the private key never appears in the ConfigMap.
  const dir = input.clientTlsDir;
  const file = (key: string) => `$__file{${dir}/${key}}`;
  const tls = dir
    ? {
        jsonData: { tlsAuth: true, tlsAuthWithCACert: true },
        secureJsonData: { tlsCACert: file(TLS_SECRET_KEYS.ca), tlsClientCert: file(TLS_SECRET_KEYS.certificate), tlsClientKey: file(TLS_SECRET_KEYS.privateKey) },
      }
    : { jsonData: {}, secureJsonData: {} };
  const datasources: Record<string, unknown>[] = input.tenants.map((tenant) => ({
    name: `Mimir (${tenant})`,
    uid: mimirDatasourceUid(tenant),
    type: "prometheus",
    access: "proxy",
    url: url("/prometheus"),
    isDefault: tenant === platformTenant,
    editable: false,
    jsonData: {
      httpMethod: "POST",
      prometheusType: "Mimir",
      httpHeaderName1: "Authorization",
      exemplarTraceIdDestinations: input.tempo ? [{ name: input.tempo.traceIdLabel, datasourceUid: TEMPO_DATASOURCE_UID }] : undefined,
      ...tls.jsonData,
    },
    secureJsonData: { httpHeaderValue1: bearer(tenant), ...tls.secureJsonData },
  }));
  if (input.alertmanagerTenant) {
    datasources.push({
      name: "Mimir Alertmanager",
      uid: ALERTMANAGER_DATASOURCE_UID,
      type: "alertmanager",
      access: "proxy",
      // The Mimir implementation appends its own paths to the base URL: /alertmanager/api/v2/… for
      // alerts and silences, /api/v1/alerts for the configuration; the gateway routes both.
      url: url(""),
      editable: false,
      jsonData: { implementation: "mimir", handleGrafanaManagedAlerts: false, httpHeaderName1: "Authorization", ...tls.jsonData },
      secureJsonData: { httpHeaderValue1: bearer(input.alertmanagerTenant), ...tls.secureJsonData },
    });
  }
  if (input.tempo) {
    datasources.push({
      name: "Tempo",
      uid: TEMPO_DATASOURCE_UID,
      type: "tempo",
      access: "proxy",
      url: input.tempo.url,
      editable: false,
      jsonData: {
        // From a span back to the platform tenant's request rate and latency of that service.
        tracesToMetrics: {
          datasourceUid: mimirDatasourceUid(platformTenant),
          spanStartTimeShift: "-5m",
          spanEndTimeShift: "5m",
          tags: [{ key: "service.name", value: "service" }],
        },
        serviceMap: { datasourceUid: mimirDatasourceUid(platformTenant) },
        nodeGraph: { enabled: true },
      },
    });
  }
  const doc = { apiVersion: 1, datasources: datasources.map(dropUndefined) };
  return {
    yaml: dump(doc, { noRefs: true, lineWidth: -1, sortKeys: false }),
    provisioned: datasources.map((ds) => ({ name: String(ds.name), uid: String(ds.uid), type: String(ds.type) })),
  };
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
