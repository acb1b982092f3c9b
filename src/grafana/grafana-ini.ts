/**
 * grafana.ini, rendered from config. Secrets never appear in it: the database credentials and the
 * OAuth client secret are read by Grafana from files mounted from Secrets (`$__file{…}`).
 */
import type { GrafanaRole, GrafanaSettings, OidcSettings } from "../config/grafana-schema.js";
import { resolveEndpoint } from "../config/grafana-schema.js";
import { renderIni } from "./ini.js";

/** Container port of Grafana's HTTP server. */
export const GRAFANA_PORT = 3000;

/** Where things live inside the Grafana container. */
export const GRAFANA_PATHS = {
  // Sibling directories, never one mount inside another (a read-only ConfigMap volume cannot hold mount points).
  config: "/etc/grafana/config/grafana.ini",
  configDir: "/etc/grafana/config",
  provisioning: "/etc/grafana/provisioning",
  datasources: "/etc/grafana/provisioning/datasources",
  dashboardProviders: "/etc/grafana/provisioning/dashboards",
  /** Dashboards, one directory per folder. */
  dashboards: "/var/lib/grafana-dashboards",
  /** Writable (emptyDir): SQLite (local), plugins, rendering scratch. */
  data: "/var/lib/grafana",
  plugins: "/var/lib/grafana/plugins",
  logs: "/var/lib/grafana/logs",
  tmp: "/tmp",
  oauthSecretDir: "/etc/grafana/secrets/oauth",
  databaseSecretDir: "/etc/grafana/secrets/database",
  secretKeyDir: "/etc/grafana/secrets/secret-key",
  /** mTLS: the client certificate for the gateway (cert-manager Secret, read-only). */
  clientTlsDir: "/etc/grafana/secrets/client-tls",
} as const;

/** Keys of the Secrets Grafana reads as files. */
export const OAUTH_SECRET_KEY = "client-secret";
export const SECRET_KEY_KEY = "secret-key";
export const DATABASE_USERNAME_KEY = "username";
export const DATABASE_PASSWORD_KEY = "password";

export interface GrafanaIniInput {
  readonly settings: GrafanaSettings;
  readonly rootUrl: string;
  /** PostgreSQL `host:port` and database name; absent: SQLite in the data directory. */
  readonly database?: { readonly endpoint: string; readonly name: string };
}

const ROLE_ORDER: readonly GrafanaRole[] = ["Admin", "Editor", "Viewer"];

/**
 * JMESPath for `role_attribute_path`: the highest role any of the user's groups maps to. No
 * fallback: with `role_attribute_strict` a user whose groups map to nothing is refused.
 */
export function roleAttributePath(oidc: Pick<OidcSettings, "groupsClaim" | "roleMapping">): string {
  const clauses: string[] = [];
  for (const role of ROLE_ORDER) {
    const groups = Object.keys(oidc.roleMapping)
      .filter((group) => oidc.roleMapping[group] === role)
      .sort();
    if (groups.length === 0) continue;
    const test = groups.map((group) => `contains(${oidc.groupsClaim}[*], '${group}')`).join(" || ");
    clauses.push(`(${test}) && '${role}'`);
  }
  return clauses.join(" || ");
}

function oauthSection(oidc: OidcSettings) {
  return {
    enabled: true,
    name: oidc.name,
    client_id: oidc.clientId,
    client_secret: `$__file{${GRAFANA_PATHS.oauthSecretDir}/${OAUTH_SECRET_KEY}}`,
    scopes: oidc.scopes.join(" "),
    auth_url: resolveEndpoint(oidc.issuerUrl, oidc.authUrl),
    token_url: resolveEndpoint(oidc.issuerUrl, oidc.tokenUrl),
    api_url: resolveEndpoint(oidc.issuerUrl, oidc.userinfoUrl),
    use_pkce: true,
    use_refresh_token: true,
    allow_sign_up: true,
    auto_login: true,
    groups_attribute_path: oidc.groupsClaim,
    allowed_groups: Object.keys(oidc.roleMapping).sort().join(","),
    role_attribute_path: roleAttributePath(oidc),
    role_attribute_strict: true,
    allow_assign_grafana_admin: false,
    skip_org_role_sync: false,
  };
}

/** The complete grafana.ini of one environment. */
export function renderGrafanaIni(input: GrafanaIniInput): string {
  const { settings, database } = input;
  const oidc = settings.oidc;
  const anonymous = settings.devOnlyAnonymousViewer;
  return renderIni(
    {
      server: {
        protocol: "http",
        http_port: GRAFANA_PORT,
        root_url: input.rootUrl,
        enable_gzip: true,
        // One JSON line per request, login and OAuth callbacks included (OSS Grafana has no audit log).
        router_logging: true,
      },
      database: database
        ? {
            type: "postgres",
            host: database.endpoint,
            name: database.name,
            user: `$__file{${GRAFANA_PATHS.databaseSecretDir}/${DATABASE_USERNAME_KEY}}`,
            password: `$__file{${GRAFANA_PATHS.databaseSecretDir}/${DATABASE_PASSWORD_KEY}}`,
            ssl_mode: "require",
          }
        : { type: "sqlite3", path: "grafana.db", wal: true },
      security: {
        // No admin user and no admin password anywhere: admins come from the IdP's groups.
        disable_initial_admin_creation: true,
        // Local keeps Grafana's built-in (public) key: dev-only, its SQLite lives in an emptyDir.
        secret_key: settings.secretKey ? `$__file{${GRAFANA_PATHS.secretKeyDir}/${SECRET_KEY_KEY}}` : undefined,
        disable_gravatar: true,
        cookie_secure: input.rootUrl.startsWith("https://"),
        cookie_samesite: "lax",
        content_security_policy: true,
      },
      users: {
        allow_sign_up: false,
        allow_org_create: false,
        auto_assign_org: true,
        auto_assign_org_role: "Viewer",
      },
      auth: {
        // No local logins anywhere: OIDC outside local, anonymous viewing (DEV ONLY) locally.
        disable_login_form: true,
        disable_signout_menu: anonymous,
      },
      "auth.basic": { enabled: false },
      "auth.anonymous": anonymous
        ? { enabled: true, org_name: "Main Org.", org_role: "Viewer", hide_version: true }
        : { enabled: false },
      "auth.generic_oauth": oidc ? oauthSection(oidc) : { enabled: false },
      log: { mode: "console", level: settings.logLevel },
      "log.console": { format: "json" },
      analytics: {
        reporting_enabled: false,
        check_for_updates: false,
        check_for_plugin_updates: false,
        feedback_links_enabled: false,
      },
      news: { news_feed_enabled: false },
      snapshots: { external_enabled: false },
      public_dashboards: { enabled: false },
      // Use the plugins bundled in the pinned image; nothing is downloaded at start-up.
      plugins: { preinstall_disabled: true },
      // Rules and notifications live in Mimir's ruler and Alertmanager; Grafana only shows them.
      unified_alerting: { enabled: true, execute_alerts: false },
    },
    ["Rendered by the observability-platform synthesizer (src/grafana/grafana-ini.ts). Do not edit."],
  );
}
