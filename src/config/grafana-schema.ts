/**
 * The `grafana:` section of config.yaml: Grafana's replicas and sizing, OIDC login (generic OAuth) with a
 * group → role mapping, the database credentials, the tenants that get a datasource, and Tempo.
 * Checks that need the rest of the config (tenants, gateway tokens, deployment mode) are in
 * `checkGrafanaSettings`, called from the top-level schema.
 */
import { z } from "zod";
import { IMAGES } from "../lib/images.js";
import { unknownValueMessage } from "./bounded-list.js";
import { httpsUrl, tenantId } from "./primitives.js";
import { resourcesSchema } from "./workload-schema.js";

/** Grafana's basic organisation roles a group may be mapped to. */
export const GRAFANA_ROLES = ["Admin", "Editor", "Viewer"] as const;
export type GrafanaRole = (typeof GRAFANA_ROLES)[number];

/**
 * IdP group names: written unquoted into `allowed_groups` (split on commas and spaces) and into a JMESPath
 * string literal (`'…'`), so neither separators nor quotes are allowed.
 */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/=+-]*$/;

/** A JMESPath identifier: the claim holding the user's groups. */
const CLAIM_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const secretRefSchema = z.strictObject({
  /** Secret-store key. */
  remoteKey: z.string().min(1),
  /** Property inside that secret (JSON secrets). */
  property: z.string().min(1).optional(),
});
export type SecretRef = z.infer<typeof secretRefSchema>;

/** An absolute https URL, or a path resolved against the issuer URL (e.g. `v1/token`). */
const endpoint = z.string().min(1, "must be an https URL or a path below issuerUrl");

const roleSchema = z.string().superRefine((value, ctx) => {
  if (!(GRAFANA_ROLES as readonly string[]).includes(value)) {
    ctx.addIssue({ code: "custom", message: unknownValueMessage("role", value, GRAFANA_ROLES) });
  }
});

const oidcSchema = z
  .strictObject({
    /** Label of the login button. */
    name: z.string().min(1).default("SSO"),
    clientId: z.string().min(1),
    /** Client secret, as a reference into the secret store (never a value). */
    clientSecret: secretRefSchema,
    /** The IdP's issuer URL; the endpoints below may be given relative to it. */
    issuerUrl: httpsUrl,
    authUrl: endpoint,
    tokenUrl: endpoint,
    userinfoUrl: endpoint,
    scopes: z.array(z.string().regex(/^[A-Za-z0-9_.:/-]+$/, "must be a single OAuth scope")).min(1).default(["openid", "profile", "email", "groups"]),
    /** Claim (in the ID token or userinfo) listing the user's groups. */
    groupsClaim: z.string().regex(CLAIM_PATTERN, "must be a claim name such as groups").default("groups"),
    /**
     * IdP group → Grafana role. Only members of these groups may log in; a user in several gets the
     * highest role (Admin > Editor > Viewer).
     */
    roleMapping: z.record(z.string(), roleSchema).superRefine((mapping, ctx) => {
      const groups = Object.keys(mapping);
      if (groups.length === 0) ctx.addIssue({ code: "custom", message: "map at least one group to a role" });
      for (const group of groups.filter((name) => !GROUP_NAME_PATTERN.test(name))) {
        ctx.addIssue({ code: "custom", path: [group], message: "group names may use A-Z a-z 0-9 . _ : @ / = + - (no spaces, commas or quotes)" });
      }
    }),
  })
  .superRefine((oidc, ctx) => {
    if (!oidc.issuerUrl.startsWith("https://")) {
      ctx.addIssue({ code: "custom", path: ["issuerUrl"], message: "must be an https URL: the client secret is sent to the IdP" });
      return;
    }
    for (const key of ["authUrl", "tokenUrl", "userinfoUrl"] as const) {
      const raw = oidc[key];
      if (/^[a-z][a-z0-9+.-]*:/i.test(raw) && !raw.startsWith("https://")) {
        ctx.addIssue({ code: "custom", path: [key], message: "must be an https URL or a path below issuerUrl" });
        continue;
      }
      const resolved = resolveEndpoint(oidc.issuerUrl, raw);
      if (resolved === undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: "must be an https URL or a path below issuerUrl" });
      } else if (new URL(resolved).origin !== new URL(oidc.issuerUrl).origin) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `must be on the issuer's host ${new URL(oidc.issuerUrl).host} (got ${new URL(resolved).host}): endpoints of another IdP cannot validate its tokens`,
        });
      }
    }
  });

/** Resolves an OIDC endpoint against the issuer (a relative path is taken below the issuer's path). */
export function resolveEndpoint(issuerUrl: string, value: string): string | undefined {
  try {
    const base = issuerUrl.endsWith("/") ? issuerUrl : `${issuerUrl}/`;
    return new URL(value, base).toString();
  } catch {
    return undefined;
  }
}

/** Absent section: no Grafana in that environment. */
export const grafanaSchema = z.strictObject({
  image: z.string().min(1).default(IMAGES.grafana),
  /** More than one replica needs the shared PostgreSQL database from Terraform. */
  replicas: z.number().int("must be a whole number").min(1, "must be >= 1").default(1),
  resources: resourcesSchema.optional(),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Login through the IdP; required outside the local environment. */
  oidc: oidcSchema.optional(),
  /**
   * Grafana's `secret_key`: encrypts datasource secrets and tokens in its database, and must be the
   * same on every replica. Required outside local (the built-in default key is public).
   */
  secretKey: secretRefSchema.optional(),
  /** DEV ONLY (local environment): anyone reaching Grafana may view dashboards, nobody can log in. */
  devOnlyAnonymousViewer: z.boolean().default(false),
  /**
   * Credentials of the PostgreSQL database named by the Terraform outputs grafana_database_endpoint and
   * grafana_database_name: one secret-store key with a username and a password property.
   */
  database: z
    .strictObject({
      remoteKey: z.string().min(1),
      usernameProperty: z.string().min(1).default("username"),
      passwordProperty: z.string().min(1).default("password"),
    })
    .optional(),
  /**
   * Tenants that get a Prometheus datasource (through the gateway, with that tenant's token).
   * @default [defaultTenant]
   */
  tenants: z.array(tenantId).min(1, "list at least one tenant").optional(),
  tempo: z
    .strictObject({
      /** Tempo's query endpoint, e.g. http://tempo-query-frontend.tempo.svc.cluster.local:3200. */
      url: httpsUrl,
      /** Label (exemplar) carrying the trace id. */
      traceIdLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "must be a Prometheus label name").default("trace_id"),
    })
    .optional(),
});
export type GrafanaSettings = z.infer<typeof grafanaSchema>;
export type OidcSettings = NonNullable<GrafanaSettings["oidc"]>;

/** The parts of the platform config the Grafana checks read. */
interface GrafanaContext {
  readonly grafana?: GrafanaSettings;
  readonly defaultTenant: string;
  readonly tenants: readonly { readonly id: string }[];
  readonly mimir: { readonly deploymentMode: string };
  readonly secretStore?: unknown;
  readonly gateway: {
    readonly enabled: boolean;
    readonly tokens: readonly { readonly tenant: string }[];
    readonly devOnlyTokens?: Readonly<Record<string, string>>;
  };
}

/** The tenants that get a datasource. */
export function grafanaTenants(config: { readonly grafana: GrafanaSettings; readonly defaultTenant: string }): readonly string[] {
  return config.grafana.tenants ?? [config.defaultTenant];
}

/** Cross-section checks of `grafana:` (tenants, gateway tokens, local vs. the rest). */
export function checkGrafanaSettings(config: GrafanaContext, ctx: z.RefinementCtx): void {
  const grafana = config.grafana;
  if (!grafana) return;
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path: ["grafana", ...path], message });
  const local = config.mimir.deploymentMode === "monolithic";
  if (grafana.devOnlyAnonymousViewer && !local) {
    issue(["devOnlyAnonymousViewer"], "anonymous access is only allowed for the local (monolithic) environment; configure grafana.oidc");
  }
  if (grafana.devOnlyAnonymousViewer && grafana.oidc) {
    issue(["devOnlyAnonymousViewer"], "set either oidc or devOnlyAnonymousViewer, not both");
  }
  if (!grafana.devOnlyAnonymousViewer && !grafana.oidc) {
    issue(["oidc"], local ? "required: configure OIDC login, or set devOnlyAnonymousViewer for the local environment" : "required outside the local environment: users log in through the IdP");
  }
  if (!grafana.secretKey && !local) {
    issue(["secretKey"], "required outside the local environment: Grafana's built-in secret_key is public, and it encrypts the datasource tokens in the database");
  }
  if (grafana.database && local) {
    issue(["database"], "the local environment runs Grafana on SQLite; the database comes from Terraform outputs elsewhere");
  }
  if (!config.gateway.enabled) {
    issue([], "needs the gateway (gateway.enabled: true): every datasource reaches Mimir through it");
    return;
  }
  const known = config.tenants.map((tenant) => tenant.id);
  const withToken = new Set([...config.gateway.tokens.map((token) => token.tenant), ...Object.values(config.gateway.devOnlyTokens ?? {})]);
  const seen = new Set<string>();
  (grafana.tenants ?? []).forEach((tenant, index) => {
    if (!known.includes(tenant)) issue(["tenants", index], unknownValueMessage("tenant", tenant, known));
    else if (seen.has(tenant)) issue(["tenants", index], `tenant "${tenant}" is listed twice`);
    else if (!withToken.has(tenant)) {
      issue(
        ["tenants", index],
        `tenant "${tenant}" has no token reference in gateway.${local ? "devOnlyTokens" : "tokens"}: its datasource would have no secret to authenticate with`,
      );
    }
    seen.add(tenant);
  });
  if (grafana.tenants && known.includes(config.defaultTenant) && !grafana.tenants.includes(config.defaultTenant)) {
    issue(["tenants"], `must include the default tenant "${config.defaultTenant}": the platform dashboards read the platform's own metrics through its datasource`);
  }
  if (!grafana.tenants && !withToken.has(config.defaultTenant)) {
    issue(["tenants"], `the default tenant "${config.defaultTenant}" has no token reference in gateway tokens: its datasource would have no secret to authenticate with`);
  }
}
