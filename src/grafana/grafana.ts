import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import { Construct } from "constructs";
import { dump } from "js-yaml";
import type { GrafanaSettings, SecretRef } from "../config/grafana-schema.js";
import type { Resources } from "../config/schema.js";
import { CONFIG_HASH_ANNOTATION, configHash } from "../lib/config-hash.js";
import { externalSecret, type SecretStoreRef } from "../lib/external-secret.js";
import { DEV_ONLY_LABEL, imageTag, selectorLabels, standardLabels } from "../lib/labels.js";
import { podDisruptionBudget } from "../lib/pod-disruption-budget.js";
import { httpProbe } from "../lib/probes.js";
import { mergeResources, resourceRequirements } from "../lib/resources.js";
import { rollingUpdateStrategy } from "../lib/rollout.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../lib/security.js";
import { service } from "../lib/service.js";
import type { ServiceRef } from "../lib/service-ref.js";
import type { BuiltDashboard, Folder } from "./dashboards/index.js";
import { FOLDERS } from "./dashboards/index.js";
import { renderDatasources, tokenEnvVar, tokenSecretKey, type Datasources } from "./datasources.js";
import {
  DATABASE_PASSWORD_KEY,
  DATABASE_USERNAME_KEY,
  GRAFANA_PATHS,
  GRAFANA_PORT,
  OAUTH_SECRET_KEY,
  renderGrafanaIni,
  SECRET_KEY_KEY,
} from "./grafana-ini.js";
import { HOSTNAME_TOPOLOGY, spreadConstraints, ZONE_TOPOLOGY } from "../lib/scheduling.js";

/** Object names (stable: docs and runbooks refer to them). */
export const GRAFANA_NAMES = {
  serviceAccount: "grafana",
  config: "grafana-config",
  datasources: "grafana-datasources",
  dashboardProviders: "grafana-dashboard-providers",
  deployment: "grafana",
  service: "grafana",
  podDisruptionBudget: "grafana",
  oauthSecret: "grafana-oauth",
  databaseSecret: "grafana-database",
  secretKeySecret: "grafana-secret-key",
  tokensSecret: "grafana-datasource-tokens",
} as const;

/** ConfigMap holding one folder's dashboards. */
export function dashboardsConfigMapName(folder: Folder): string {
  return `grafana-dashboards-${folder.toLowerCase()}`;
}

/**
 * Grafana serves the UI, the API and its own /metrics on one port; the platform's PodMonitor scrapes
 * every `http-metrics` port (job `<namespace>/grafana`).
 */
export const GRAFANA_PORT_NAME = "http-metrics";

/** uid/gid of the `grafana` user in the official image. */
export const GRAFANA_UID = 472;

/** ConfigMaps are limited to 1 MiB; stay well below so annotations and growth fit. */
const MAX_CONFIGMAP_BYTES = 900 * 1024;

export const GRAFANA_DEFAULT_RESOURCES: Resources = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { memory: "512Mi" },
};

/** Where a tenant's datasource token comes from. */
export type TokenSource =
  | { readonly kind: "secret-store"; readonly ref: SecretRef }
  /** DEV ONLY (local): the plaintext gateway token from gateway.devOnlyTokens. */
  | { readonly kind: "dev-only"; readonly token: string };

export interface GrafanaProps {
  readonly instance: string;
  readonly settings: GrafanaSettings;
  readonly rootUrl: string;
  readonly gateway: ServiceRef;
  /** Tenants with a datasource (platform tenant first) and where each one's gateway token comes from. */
  readonly tenantTokens: ReadonlyMap<string, TokenSource>;
  readonly alertmanagerTenant?: string;
  readonly dashboards: readonly BuiltDashboard[];
  /** Shared PostgreSQL (Terraform outputs); absent: SQLite in an emptyDir. */
  readonly database?: { readonly endpoint: string; readonly name: string };
  readonly roleArn?: string;
  /** Required unless every secret is dev-only (local). */
  readonly secretStore?: SecretStoreRef;
  /** mTLS: the cert-manager Secret of Grafana's client certificate for the gateway; absent: plaintext. */
  readonly clientTls?: { readonly secretName: string };
}

/**
 * Grafana: Deployment (read-only root filesystem, writable paths as emptyDirs), Service, PDB when
 * replicated, ServiceAccount (IRSA when Terraform provides a role), grafana.ini, datasource and
 * dashboard provisioning, dashboards as ConfigMaps, and the Secrets it reads (ExternalSecrets; a
 * DEV ONLY token Secret locally).
 */
export class Grafana extends Construct {
  readonly service: ServiceRef;
  readonly grafanaIni: string;
  readonly datasources: Datasources;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const { settings } = props;
    const identity = { app: "grafana", instance: props.instance, component: "grafana", version: imageTag(settings.image) };
    const selector = selectorLabels(identity);
    const labels = standardLabels(identity);

    this.grafanaIni = renderGrafanaIni({ settings, rootUrl: props.rootUrl, database: props.database });
    this.datasources = renderDatasources({
      gateway: props.gateway,
      tenants: [...props.tenantTokens.keys()],
      alertmanagerTenant: props.alertmanagerTenant,
      tempo: settings.tempo,
      clientTlsDir: props.clientTls ? GRAFANA_PATHS.clientTlsDir : undefined,
    });
    const providers = renderDashboardProviders();

    new k8s.KubeServiceAccount(this, "service-account", {
      metadata: {
        name: GRAFANA_NAMES.serviceAccount,
        labels,
        annotations: props.roleArn ? { "eks.amazonaws.com/role-arn": props.roleArn } : undefined,
      },
      automountServiceAccountToken: false,
    });
    const configMap = (id: string, name: string, data: Record<string, string>) =>
      new k8s.KubeConfigMap(this, id, { metadata: { name, labels }, data });
    const config = configMap("config", GRAFANA_NAMES.config, { "grafana.ini": this.grafanaIni });
    if (settings.devOnlyAnonymousViewer) {
      config.metadata.addLabel(DEV_ONLY_LABEL, "true");
      config.metadata.addAnnotation(
        DEV_ONLY_LABEL,
        "DEV ONLY: anonymous viewer access without any login (grafana.devOnlyAnonymousViewer), for the local kind cluster. Never use it anywhere else.",
      );
    }
    configMap("datasources", GRAFANA_NAMES.datasources, { "datasources.yaml": this.datasources.yaml });
    configMap("dashboard-providers", GRAFANA_NAMES.dashboardProviders, { "dashboards.yaml": providers });
    for (const folder of FOLDERS) {
      const data: Record<string, string> = {};
      for (const built of props.dashboards.filter((d) => d.folder === folder)) {
        if (built.file in data) throw new Error(`grafana: two dashboards in folder ${folder} are named ${built.file}`);
        data[built.file] = `${JSON.stringify(built.dashboard, null, 1)}\n`;
      }
      const bytes = Object.values(data).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      if (bytes > MAX_CONFIGMAP_BYTES) {
        throw new Error(`grafana: the ${folder} dashboards take ${bytes} bytes, more than one ConfigMap should hold (${MAX_CONFIGMAP_BYTES}); split the folder`);
      }
      configMap(`dashboards-${folder.toLowerCase()}`, dashboardsConfigMapName(folder), data);
    }

    const secretVolumes = this.secrets(props, labels);

    const probe = (failureThreshold: number) => httpProbe({ path: "/api/health", port: GRAFANA_PORT_NAME, timeoutSeconds: 2, periodSeconds: 10, failureThreshold });
    const env: k8s.EnvVar[] = [
      { name: "GF_PATHS_CONFIG", value: GRAFANA_PATHS.config },
      { name: "GF_PATHS_DATA", value: GRAFANA_PATHS.data },
      { name: "GF_PATHS_LOGS", value: GRAFANA_PATHS.logs },
      { name: "GF_PATHS_PLUGINS", value: GRAFANA_PATHS.plugins },
      { name: "GF_PATHS_PROVISIONING", value: GRAFANA_PATHS.provisioning },
      ...[...props.tenantTokens.keys()].map(
        (tenant): k8s.EnvVar => ({
          name: tokenEnvVar(tenant),
          valueFrom: { secretKeyRef: { name: GRAFANA_NAMES.tokensSecret, key: tokenSecretKey(tenant) } },
        }),
      ),
    ];
    const configVolumes: { name: string; mountPath: string; source: k8s.Volume }[] = [
      { name: "config", mountPath: GRAFANA_PATHS.configDir, source: { name: "config", configMap: { name: GRAFANA_NAMES.config } } },
      { name: "datasources", mountPath: GRAFANA_PATHS.datasources, source: { name: "datasources", configMap: { name: GRAFANA_NAMES.datasources } } },
      {
        name: "dashboard-providers",
        mountPath: GRAFANA_PATHS.dashboardProviders,
        source: { name: "dashboard-providers", configMap: { name: GRAFANA_NAMES.dashboardProviders } },
      },
      ...FOLDERS.map((folder) => ({
        name: `dashboards-${folder.toLowerCase()}`,
        mountPath: `${GRAFANA_PATHS.dashboards}/${folder.toLowerCase()}`,
        source: { name: `dashboards-${folder.toLowerCase()}`, configMap: { name: dashboardsConfigMapName(folder) } },
      })),
      ...secretVolumes,
    ];
    const writable = [
      { name: "data", mountPath: GRAFANA_PATHS.data },
      { name: "tmp", mountPath: GRAFANA_PATHS.tmp },
    ];

    const container: k8s.Container = {
      name: "grafana",
      image: settings.image,
      imagePullPolicy: "IfNotPresent",
      ports: [{ name: GRAFANA_PORT_NAME, containerPort: GRAFANA_PORT, protocol: "TCP" }],
      env,
      readinessProbe: probe(3),
      livenessProbe: { ...probe(6), initialDelaySeconds: 30 },
      resources: resourceRequirements(mergeResources(GRAFANA_DEFAULT_RESOURCES, settings.resources)),
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: [
        ...configVolumes.map((volume) => ({ name: volume.name, mountPath: volume.mountPath, readOnly: true })),
        ...writable.map((volume) => ({ name: volume.name, mountPath: volume.mountPath })),
      ],
    };

    new k8s.KubeDeployment(this, "deployment", {
      metadata: { name: GRAFANA_NAMES.deployment, labels },
      spec: {
        replicas: settings.replicas,
        revisionHistoryLimit: 10,
        selector: { matchLabels: selector },
        strategy: rollingUpdateStrategy(1, 0),
        template: {
          metadata: {
            labels,
            // Datasources and grafana.ini are read at start-up only; dashboards are re-read while running.
            annotations: { [CONFIG_HASH_ANNOTATION]: configHash(`${this.grafanaIni}\n---\n${this.datasources.yaml}\n---\n${providers}`) },
          },
          spec: {
            serviceAccountName: GRAFANA_NAMES.serviceAccount,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(GRAFANA_UID),
            topologySpreadConstraints: spreadConstraints(selector, [HOSTNAME_TOPOLOGY, ZONE_TOPOLOGY]),
            containers: [container],
            volumes: [...configVolumes.map((volume) => volume.source), ...writable.map((volume): k8s.Volume => ({ name: volume.name, emptyDir: {} }))],
          },
        },
      },
    });

    this.service = service(this, {
      name: GRAFANA_NAMES.service,
      labels,
      selector,
      ports: [{ name: "http", port: 80, targetPort: GRAFANA_PORT_NAME }],
    });

    if (settings.replicas > 1) {
      podDisruptionBudget(this, { name: GRAFANA_NAMES.podDisruptionBudget, labels, selector, maxUnavailable: 1 });
    }
  }

  /** The Secrets Grafana reads, and the volumes mounting those it reads as files. */
  private secrets(props: GrafanaProps, labels: Record<string, string>): { name: string; mountPath: string; source: k8s.Volume }[] {
    const volumes: { name: string; mountPath: string; source: k8s.Volume }[] = [];
    const store = () => {
      if (!props.secretStore) throw new Error("grafana: a secretStore is required for its secrets (only the local environment may use dev-only values)");
      return props.secretStore;
    };
    const secretVolume = (name: string, secretName: string, mountPath: string) =>
      volumes.push({ name, mountPath, source: { name, secret: { secretName, defaultMode: 0o440 } } });

    const oidc = props.settings.oidc;
    if (oidc) {
      externalSecret(this, {
        name: GRAFANA_NAMES.oauthSecret,
        labels,
        secretStore: store(),
        values: [{ secretKey: OAUTH_SECRET_KEY, remoteKey: oidc.clientSecret.remoteKey, property: oidc.clientSecret.property }],
      });
      secretVolume("oauth", GRAFANA_NAMES.oauthSecret, GRAFANA_PATHS.oauthSecretDir);
    }
    const secretKey = props.settings.secretKey;
    if (secretKey) {
      externalSecret(this, {
        name: GRAFANA_NAMES.secretKeySecret,
        labels,
        secretStore: store(),
        values: [{ secretKey: SECRET_KEY_KEY, remoteKey: secretKey.remoteKey, property: secretKey.property }],
      });
      secretVolume("secret-key", GRAFANA_NAMES.secretKeySecret, GRAFANA_PATHS.secretKeyDir);
    }
    const database = props.settings.database;
    if (props.database) {
      if (!database) throw new Error("grafana: a database without credentials (grafana.database)");
      externalSecret(this, {
        name: GRAFANA_NAMES.databaseSecret,
        labels,
        secretStore: store(),
        values: [
          { secretKey: DATABASE_USERNAME_KEY, remoteKey: database.remoteKey, property: database.usernameProperty },
          { secretKey: DATABASE_PASSWORD_KEY, remoteKey: database.remoteKey, property: database.passwordProperty },
        ],
      });
      secretVolume("database", GRAFANA_NAMES.databaseSecret, GRAFANA_PATHS.databaseSecretDir);
    }

    // Read at provisioning ($__file{…} in datasources.yaml): a renewed certificate takes effect on restart.
    if (props.clientTls) secretVolume("client-tls", props.clientTls.secretName, GRAFANA_PATHS.clientTlsDir);

    const tokens = [...props.tenantTokens.entries()];
    const devOnly = tokens.filter(([, source]) => source.kind === "dev-only");
    if (devOnly.length > 0 && devOnly.length !== tokens.length) throw new Error("grafana: datasource tokens mix dev-only and secret-store sources");
    if (devOnly.length > 0) {
      new k8s.KubeSecret(this, "tokens-dev-only", {
        metadata: {
          name: GRAFANA_NAMES.tokensSecret,
          labels: { ...labels, [DEV_ONLY_LABEL]: "true" },
          annotations: {
            [DEV_ONLY_LABEL]:
              "DEV ONLY: the local environment's plaintext gateway tokens (gateway.devOnlyTokens), committed to git for the kind cluster. Never use these tokens, or this mechanism, anywhere else.",
          },
        },
        type: "Opaque",
        stringData: Object.fromEntries(devOnly.map(([tenant, source]) => [tokenSecretKey(tenant), source.kind === "dev-only" ? source.token : ""])),
      });
    } else {
      externalSecret(this, {
        name: GRAFANA_NAMES.tokensSecret,
        labels,
        secretStore: store(),
        values: tokens.flatMap(([tenant, source]) =>
          source.kind === "secret-store" ? [{ secretKey: tokenSecretKey(tenant), remoteKey: source.ref.remoteKey, property: source.ref.property }] : [],
        ),
      });
    }
    return volumes;
  }
}

/** The dashboard provider file: one read-only folder per audience. */
export function renderDashboardProviders(): string {
  return dump(
    {
      apiVersion: 1,
      providers: FOLDERS.map((folder) => ({
        name: folder.toLowerCase(),
        orgId: 1,
        folder,
        folderUid: folder.toLowerCase(),
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: `${GRAFANA_PATHS.dashboards}/${folder.toLowerCase()}`, foldersFromFilesStructure: false },
      })),
    },
    { noRefs: true, lineWidth: -1 },
  );
}
