/** settings.test.ts cases for the `grafana:` section (each edit must change the output or be rejected); prod unless noted. */
type Config = Record<string, any>;
interface Case {
  readonly env?: string;
  readonly edit: (config: Config) => void;
}

export const GRAFANA_CASES: Record<string, Case> = {
  "grafana.image": { edit: (c) => (c.grafana.image = "grafana/grafana:12.3.1") },
  "grafana.replicas": { edit: (c) => (c.grafana.replicas = 3) },
  "grafana.resources": { edit: (c) => (c.grafana.resources = { requests: { cpu: "1", memory: "1Gi" } }) },
  "grafana.logLevel": { edit: (c) => (c.grafana.logLevel = "debug") },
  "grafana.oidc.name": { edit: (c) => (c.grafana.oidc.name = "Other SSO") },
  "grafana.oidc.clientId": { edit: (c) => (c.grafana.oidc.clientId = "other-client") },
  "grafana.oidc.clientSecret.remoteKey": { edit: (c) => (c.grafana.oidc.clientSecret.remoteKey = "observability/prod/other-oauth") },
  "grafana.oidc.clientSecret.property": { edit: (c) => (c.grafana.oidc.clientSecret.property = "secret") },
  "grafana.oidc.issuerUrl": { edit: (c) => (c.grafana.oidc.issuerUrl = "https://login.acme.example/oauth2/other") },
  "grafana.oidc.authUrl": { edit: (c) => (c.grafana.oidc.authUrl = "v2/authorize") },
  "grafana.oidc.tokenUrl": { edit: (c) => (c.grafana.oidc.tokenUrl = "v2/token") },
  "grafana.oidc.userinfoUrl": { edit: (c) => (c.grafana.oidc.userinfoUrl = "v2/userinfo") },
  "grafana.oidc.scopes": { edit: (c) => (c.grafana.oidc.scopes = ["openid", "groups"]) },
  "grafana.oidc.groupsClaim": { edit: (c) => (c.grafana.oidc.groupsClaim = "roles") },
  "grafana.oidc.roleMapping": { edit: (c) => (c.grafana.oidc.roleMapping["sre"] = "Editor") },
  "grafana.secretKey.remoteKey": { edit: (c) => (c.grafana.secretKey.remoteKey = "observability/prod/other-key") },
  "grafana.secretKey.property": { edit: (c) => (c.grafana.secretKey.property = "key") },
  "grafana.devOnlyAnonymousViewer": { env: "local", edit: (c) => (c.grafana.devOnlyAnonymousViewer = false) }, // rejected: no login left
  "grafana.database.remoteKey": { edit: (c) => (c.grafana.database.remoteKey = "observability/prod/other-db") },
  "grafana.database.usernameProperty": { edit: (c) => (c.grafana.database.usernameProperty = "user") },
  "grafana.database.passwordProperty": { edit: (c) => (c.grafana.database.passwordProperty = "pass") },
  "grafana.tenants": { edit: (c) => (c.grafana.tenants = ["single", "team-payments"]) },
  "grafana.tempo.url": { edit: (c) => (c.grafana.tempo.url = "http://tempo.tracing.svc.cluster.local:3200") },
  "grafana.tempo.traceIdLabel": { edit: (c) => (c.grafana.tempo.traceIdLabel = "traceID") },
};

