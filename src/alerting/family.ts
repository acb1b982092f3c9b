import { externalSecret } from "../lib/external-secret.js";
import { standardLabels } from "../lib/labels.js";
import { COMPONENTS_BY_MODE } from "../mimir/components.js";
import type { Family, FamilyContext } from "../synth/family.js";
import { ALERTMANAGER_SECRET_NAME, ALERTMANAGER_SECRETS_DIR, alertingSecretFiles, alertmanagerConfigYaml } from "./alertmanager-config.js";

function alertmanagerRuns(ctx: FamilyContext): boolean {
  const mode = ctx.config.mimir.deploymentMode;
  return mode === "monolithic" || COMPONENTS_BY_MODE[mode].includes("alertmanager");
}

/**
 * Alerting: the Alertmanager configuration (Mimir's fallback config, see alertmanager-config.ts)
 * and the ExternalSecret its receivers' secret files come from. Runs before the Mimir family,
 * which writes the config into the Alertmanager's ConfigMap and mounts the Secret.
 */
export const alertingFamily: Family = {
  name: "alerting",
  layer: "mimir",
  build(ctx: FamilyContext): void {
    if (!alertmanagerRuns(ctx)) return;
    const { config } = ctx;
    const files = alertingSecretFiles(config);
    const local = config.mimir.deploymentMode === "monolithic";
    if (!config.alerting.smtp && !local) ctx.warn(`${config.envName}: alerting.smtp is not set: no alert email is sent (onCallEmail ${config.onCallEmail} receives nothing)`);
    if (!config.alerting.deadMansSwitch && !local) ctx.warn(`${config.envName}: alerting.deadMansSwitch is not set: nobody notices when alerting itself breaks`);
    if (files.length > 0) {
      // The schema rejects secret references without a secret store.
      externalSecret(ctx.chart("alertmanager-receivers"), {
        name: ALERTMANAGER_SECRET_NAME,
        labels: standardLabels({ app: "mimir", instance: ctx.names.instance, component: "alertmanager" }),
        secretStore: config.secretStore!,
        values: files.map(({ secretKey, ref }) => ({ secretKey, remoteKey: ref.remoteKey, property: ref.property })),
      });
    }
    ctx.publish("alertmanagerConfig", {
      config: alertmanagerConfigYaml(config),
      secretName: files.length > 0 ? ALERTMANAGER_SECRET_NAME : undefined,
      secretsDir: ALERTMANAGER_SECRETS_DIR,
    });
  },
};
