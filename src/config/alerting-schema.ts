/**
 * `alerting:` — where the platform's alerts go: teams (the `scope` label of an alert), their
 * receivers, and the dead-man's switch. Secrets (PagerDuty routing keys, webhook URLs, the SMTP
 * password) are references into the secret store only; Alertmanager reads them from files.
 */
import { z } from "zod";
import { unknownValueMessage } from "./bounded-list.js";
import { dnsLabel } from "./primitives.js";

const secretRefSchema = z.strictObject({
  /** Secret-store key. */
  remoteKey: z.string().min(1, "must name a key in the secret store"),
  /** Property inside that secret (JSON secrets). */
  property: z.string().min(1).optional(),
});
export type AlertingSecretRef = z.infer<typeof secretRefSchema>;

/** Team every platform alert is labelled with (`scope: platform`); it also receives unmatched alerts. */
export const PLATFORM_TEAM = "platform";

const email = z.email("must be an email address");

const teamSchema = z.strictObject({
  /** Value of the `scope` label of the team's alerts. */
  name: dnsLabel,
  /** Where warnings (and copies of pages) go. @default onCallEmail for the platform team */
  email: email.optional(),
  /** PagerDuty Events v2 routing key: critical alerts page. */
  pagerduty: secretRefSchema.optional(),
  /** Chat webhook URL (e.g. a Slack/Teams bridge): warnings are posted there too. */
  webhook: secretRefSchema.optional(),
});
export type AlertingTeam = z.infer<typeof teamSchema>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const alertingSchema = z
  .strictObject({
    /** SMTP relay for email receivers; without it no email is sent (local only). */
    smtp: z
      .strictObject({
        /** `host:port` of the relay. */
        smarthost: z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, "must be host:port, e.g. email-smtp.eu-west-1.amazonaws.com:587"),
        from: email,
        username: z.string().min(1).optional(),
        password: secretRefSchema.optional(),
        /** @default true */
        requireTls: z.boolean().default(true),
      })
      .optional(),
    /** Webhook URL (secret) of the dead-man's-switch service Watchdog is sent to, every minute. */
    deadMansSwitch: secretRefSchema.optional(),
    /** Teams alerts are routed to by their `scope` label; the platform team is always present. */
    teams: z.array(teamSchema).default([]),
    /** Alerts without a known `scope` but matching these labels go to a team. */
    routes: z
      .array(
        z.strictObject({
          matchers: z.record(z.string().regex(LABEL_NAME, "must be a Prometheus label name"), z.string()).refine((m) => Object.keys(m).length > 0, "at least one label"),
          team: dnsLabel,
        }),
      )
      .default([]),
  })
  .superRefine((alerting, ctx) => {
    const teams = new Map<string, number>();
    alerting.teams.forEach((team, index) => {
      const first = teams.get(team.name);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: ["teams", index, "name"], message: `duplicate team "${team.name}" (also teams[${first}])` });
      else teams.set(team.name, index);
    });
    const known = [...new Set([PLATFORM_TEAM, ...teams.keys()])];
    alerting.routes.forEach((route, index) => {
      if (!known.includes(route.team)) ctx.addIssue({ code: "custom", path: ["routes", index, "team"], message: unknownValueMessage("team", route.team, known) });
    });
    if (alerting.smtp?.password && !alerting.smtp.username) {
      ctx.addIssue({ code: "custom", path: ["smtp", "password"], message: "needs smtp.username: the relay authenticates a user" });
    }
  });
export type AlertingSettings = z.infer<typeof alertingSchema>;

/** Checks that need other sections: the secret store, the deployment mode. */
export function checkAlertingAgainstPlatform(
  config: { alerting: AlertingSettings; secretStore?: unknown; mimir: { deploymentMode: string } },
  ctx: z.RefinementCtx,
): void {
  const { alerting } = config;
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path: ["alerting", ...path], message });
  if (!config.secretStore) {
    alerting.teams.forEach((team, index) => {
      for (const key of ["pagerduty", "webhook"] as const) {
        if (team[key]) issue(["teams", index, key], "is a secret reference, which needs secretStore");
      }
    });
    if (alerting.deadMansSwitch) issue(["deadMansSwitch"], "is a secret reference, which needs secretStore");
    if (alerting.smtp?.password) issue(["smtp", "password"], "is a secret reference, which needs secretStore");
  }
  const mode = config.mimir.deploymentMode;
  if (mode === "read-only") {
    const set = Object.entries(alerting).filter(([, value]) => (Array.isArray(value) ? value.length > 0 : value !== undefined));
    if (set.length > 0) issue([set[0]![0]], "deploymentMode read-only runs no Alertmanager; remove the alerting section");
  }
}
