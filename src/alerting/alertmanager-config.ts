/**
 * The Alertmanager configuration every tenant without its own uses (Mimir's fallback config): a
 * routing tree keyed by the `scope` (team) label and `severity`, receivers per team from config,
 * and secrets read from files mounted from an ExternalSecret-provided Secret.
 *
 * Why the fallback config and not per-tenant files or API uploads (from Mimir's source,
 * pkg/alertmanager): Mimir's configuration API rejects `routing_key_file`, `url_file`, `*_password_file`
 * and other file references in uploaded configs, so secrets could only be literals there. The
 * `local` alertmanager_storage backend accepts files but is read-only for state too: its
 * SetFullState always fails, so silences and the notification log are never persisted (they survive
 * only while a replica holds them) and MimirAlertmanagerPersistStateFailing fires forever. The
 * fallback file is loaded like a local file (no upload validation) while state stays in the bucket;
 * for a tenant without a stored config Mimir stores an *empty* config and applies the fallback
 * file, so a change of this file applies to every such tenant at the next Alertmanager start (the
 * pods roll: their template carries a hash of this file). The trade-off: one routing tree for all
 * tenants (routing is per team through `scope`, not per tenant); a tenant may still upload its own
 * tree through the API, then without file secrets.
 */
import { dump } from "js-yaml";
import { PLATFORM_TEAM, type AlertingSecretRef, type AlertingTeam } from "../config/alerting-schema.js";
import type { PlatformConfig } from "../config/schema.js";

/** Where the receivers' secret files are mounted in every Alertmanager container. */
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";
/** The Secret (from the ExternalSecret of the same name) holding them. */
export const ALERTMANAGER_SECRET_NAME = "alertmanager-receivers";

/** Labels alerts are grouped by: one notification per alert, cluster, namespace and team. */
export const GROUP_BY = ["alertname", "cluster", "namespace", "scope"] as const;
/**
 * A critical alert silences the warning of the same alert and team for the same object: labels
 * absent on both sides count as equal, so `pod`/`instance` keep one pod's page from hiding
 * another pod's warning.
 */
export const INHIBIT_EQUAL = ["alertname", "cluster", "namespace", "scope", "pod", "instance"] as const;

/** One secret file: key in the Secret (= file name) and where it comes from in the secret store. */
export interface SecretFile {
  readonly secretKey: string;
  readonly ref: AlertingSecretRef;
}

/** The teams alerts are routed to; the platform team exists always, emailing onCallEmail by default. */
export function resolvedTeams(config: PlatformConfig): AlertingTeam[] {
  const teams = config.alerting.teams;
  const platform = teams.find((team) => team.name === PLATFORM_TEAM);
  return [
    { ...platform, name: PLATFORM_TEAM, email: platform?.email ?? config.onCallEmail },
    ...teams.filter((team) => team.name !== PLATFORM_TEAM),
  ];
}

/** Every secret file the receivers read, in a stable order. */
export function alertingSecretFiles(config: PlatformConfig): SecretFile[] {
  const files: SecretFile[] = [];
  for (const team of resolvedTeams(config)) {
    if (team.pagerduty) files.push({ secretKey: `${team.name}-pagerduty-routing-key`, ref: team.pagerduty });
    if (team.webhook) files.push({ secretKey: `${team.name}-webhook-url`, ref: team.webhook });
  }
  if (config.alerting.deadMansSwitch) files.push({ secretKey: "dead-mans-switch-url", ref: config.alerting.deadMansSwitch });
  if (config.alerting.smtp?.password) files.push({ secretKey: "smtp-password", ref: config.alerting.smtp.password });
  return files;
}

const file = (secretKey: string) => `${ALERTMANAGER_SECRETS_DIR}/${secretKey}`;
const matcher = (name: string, value: string) => `${name}=${JSON.stringify(value)}`;

export const receiverNames = {
  page: (team: string) => `${team}-page`,
  notify: (team: string) => `${team}-notify`,
  deadMansSwitch: "dead-mans-switch",
  discard: "discard",
} as const;

function teamReceivers(team: AlertingTeam, email: boolean): Record<string, unknown>[] {
  const emailConfigs = email && team.email ? [{ to: team.email, send_resolved: true }] : undefined;
  return [
    {
      name: receiverNames.page(team.name),
      pagerduty_configs: team.pagerduty ? [{ routing_key_file: file(`${team.name}-pagerduty-routing-key`), send_resolved: true }] : undefined,
      email_configs: emailConfigs,
    },
    {
      name: receiverNames.notify(team.name),
      email_configs: emailConfigs,
      webhook_configs: team.webhook ? [{ url_file: file(`${team.name}-webhook-url`), send_resolved: true }] : undefined,
    },
  ];
}

/** A team's subtree: warnings to its notify receiver, critical alerts page it. */
function teamRoute(team: string, matchers: string[]): Record<string, unknown> {
  return {
    receiver: receiverNames.notify(team),
    matchers,
    routes: [{ receiver: receiverNames.page(team), matchers: [matcher("severity", "critical")], repeat_interval: "1h" }],
  };
}

export function buildAlertmanagerConfig(config: PlatformConfig): Record<string, unknown> {
  const { smtp, deadMansSwitch, routes } = config.alerting;
  const teams = resolvedTeams(config);
  const global = smtp
    ? {
        resolve_timeout: "5m",
        smtp_smarthost: smtp.smarthost,
        smtp_from: smtp.from,
        smtp_auth_username: smtp.username,
        smtp_auth_password_file: smtp.password ? file("smtp-password") : undefined,
        smtp_require_tls: smtp.requireTls,
      }
    : { resolve_timeout: "5m" };
  return {
    global,
    route: {
      receiver: receiverNames.notify(PLATFORM_TEAM),
      group_by: [...GROUP_BY],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        // The dead-man's switch gets Watchdog every minute and nothing else; nobody else gets Watchdog.
        {
          receiver: receiverNames.deadMansSwitch,
          matchers: [matcher("alertname", "Watchdog")],
          group_wait: "0s",
          group_interval: "1m",
          repeat_interval: "1m",
        },
        { receiver: receiverNames.discard, matchers: [matcher("severity", "info")] },
        ...teams.map((team) => teamRoute(team.name, [matcher("scope", team.name)])),
        ...routes.map((route) => teamRoute(route.team, Object.entries(route.matchers).map(([name, value]) => matcher(name, value)))),
        // Unknown or missing scope: critical alerts page the platform team, the rest goes to its notify receiver.
        { receiver: receiverNames.page(PLATFORM_TEAM), matchers: [matcher("severity", "critical")], repeat_interval: "1h" },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: [matcher("severity", "critical")],
        target_matchers: [matcher("severity", "warning")],
        equal: [...INHIBIT_EQUAL],
      },
    ],
    receivers: [
      ...teams.flatMap((team) => teamReceivers(team, smtp !== undefined)),
      {
        name: receiverNames.deadMansSwitch,
        webhook_configs: deadMansSwitch ? [{ url_file: file("dead-mans-switch-url"), send_resolved: false }] : undefined,
      },
      { name: receiverNames.discard },
    ],
  };
}

/** The config as Alertmanager reads it (no undefined keys). */
export function alertmanagerConfigYaml(config: PlatformConfig): string {
  return dump(JSON.parse(JSON.stringify(buildAlertmanagerConfig(config))), { lineWidth: -1, noRefs: true });
}
