/** settings.test.ts cases for the `alerting:` section (src/config/alerting-schema.ts); prod config. */
type Config = Record<string, any>;
interface Case {
  readonly env?: string;
  readonly edit: (config: Config) => void;
}

const team = (c: Config, name: string) => c.alerting.teams.find((t: Config) => t.name === name);

export const ALERTING_CASES: Record<string, Case> = {
  "alerting.smtp.smarthost": { edit: (c) => (c.alerting.smtp.smarthost = "smtp.acme.example:25") },
  "alerting.smtp.from": { edit: (c) => (c.alerting.smtp.from = "alerts@acme.example") },
  "alerting.smtp.username": { edit: (c) => (c.alerting.smtp.username = "other-user") },
  "alerting.smtp.password.remoteKey": { edit: (c) => (c.alerting.smtp.password.remoteKey = "observability/prod/smtp") },
  "alerting.smtp.password.property": { edit: (c) => (c.alerting.smtp.password.property = "password") },
  "alerting.smtp.requireTls": { edit: (c) => (c.alerting.smtp.requireTls = false) },
  "alerting.deadMansSwitch.remoteKey": { edit: (c) => (c.alerting.deadMansSwitch.remoteKey = "observability/prod/dms") },
  "alerting.deadMansSwitch.property": { edit: (c) => (c.alerting.deadMansSwitch.property = "url") },
  "alerting.teams[].name": { edit: (c) => (team(c, "search").name = "discovery") },
  "alerting.teams[].email": { edit: (c) => (team(c, "search").email = "discovery@acme.example") },
  "alerting.teams[].pagerduty.remoteKey": { edit: (c) => (team(c, "payments").pagerduty.remoteKey = "observability/prod/pd") },
  "alerting.teams[].pagerduty.property": { edit: (c) => (team(c, "payments").pagerduty.property = "key") },
  "alerting.teams[].webhook.remoteKey": { edit: (c) => (team(c, "search").webhook.remoteKey = "observability/prod/chat") },
  "alerting.teams[].webhook.property": { edit: (c) => (team(c, "search").webhook.property = "url") },
  "alerting.routes[].matchers": { edit: (c) => (c.alerting.routes[0].matchers = { namespace: "billing" }) },
  "alerting.routes[].team": { edit: (c) => (c.alerting.routes[0].team = "search") },
};
