import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Chart } from "cdk8s";
import { ConfigError } from "../config/errors.js";
import { GRAFANA_NAMES } from "../grafana/grafana.js";
import { DATABASE_PASSWORD_KEY, DATABASE_USERNAME_KEY } from "../grafana/grafana-ini.js";
import { IMAGES } from "../lib/images.js";
import { imageTag, standardLabels } from "../lib/labels.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../lib/security.js";
import { httpUrl } from "../lib/service-ref.js";
import type { Family, FamilyContext } from "../synth/family.js";
import { BACKUP_SCRIPT } from "./script.js";

/** Object names (docs/backups.md refers to them). */
export const BACKUP_NAMES = { cronJob: "backup", serviceAccount: "backup", scripts: "backup-scripts" } as const;
/** Daily at 02:17 UTC: off the hour, after the night's compaction has started. */
export const BACKUP_SCHEDULE = "17 2 * * *";
const BACKUP_DIR = "/backup/data";
const SCRIPT_PATH = "/scripts/backup.sh";
const DATABASE_SECRET_DIR = "/secrets/database";

const env = (values: Record<string, string | undefined>): k8s.EnvVar[] =>
  Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ({ name, value }));

/**
 * What is not in git, exported daily to the Mimir bucket under `backups/`: every tenant's Alertmanager
 * silences and the Alertmanager state Mimir persists (silences, notification log), and Grafana's PostgreSQL
 * database. Cloud environments that run Mimir's Alertmanager or own Grafana's database; not local (MinIO, no
 * database) and not the read-only DR environment (no state of its own: it reads the source's replica).
 */
export const backupFamily: Family = {
  name: "backup",
  layer: "workloads",
  build(ctx: FamilyContext): void {
    const { config, infra, names } = ctx;
    if (!infra || config.mimir.deploymentMode === "read-only") return;
    const storage = ctx.need("objectStorage");
    if (storage.kind !== "s3") return;
    const alertmanager = ctx.need("mimir").alertmanager;
    const database = infra.grafanaDatabase && config.grafana?.database ? infra.grafanaDatabase : undefined;
    if (!alertmanager && !database) return;
    if (!infra.backupRoleArn) {
      throw new ConfigError([
        {
          file: `overlays/${config.envName}/terraform-outputs.json`,
          path: "backup_irsa_role_arn",
          message: `required output is missing: the IAM role of the backup CronJob's ServiceAccount (write below backups/ in ${storage.bucket}${alertmanager ? ", read the Alertmanager state" : ""})`,
        },
      ]);
    }
    backupCronJob(ctx.chart("backup"), {
      namespace: names.namespace,
      instance: names.instance,
      roleArn: infra.backupRoleArn,
      region: storage.region,
      bucket: storage.bucket,
      kmsKeyArn: storage.kmsKeyArn,
      tenants: config.tenants.map((tenant) => tenant.id),
      alertmanagerUrl: alertmanager ? httpUrl(alertmanager, "http-metrics", "/alertmanager") : undefined,
      alertmanagerState: alertmanager
        ? storage.alertmanagerBucket
          ? `s3://${storage.alertmanagerBucket}/`
          : `s3://${storage.bucket}/alertmanager/`
        : undefined,
      database,
    });
  },
};

export interface BackupProps {
  readonly namespace: string;
  readonly instance: string;
  readonly roleArn: string;
  readonly region: string;
  readonly bucket: string;
  readonly kmsKeyArn: string;
  readonly tenants: readonly string[];
  /** Mimir's Alertmanager API base (`…/alertmanager`); absent: no silences to export. */
  readonly alertmanagerUrl: string | undefined;
  /** Where Mimir persists Alertmanager state (S3 prefix). */
  readonly alertmanagerState: string | undefined;
  /** Grafana's PostgreSQL; credentials from Grafana's own Secret. */
  readonly database: { readonly endpoint: string; readonly name: string } | undefined;
}

export function backupCronJob(chart: Chart, props: BackupProps): k8s.KubeCronJob {
  const labels = standardLabels({ app: "backup", instance: props.instance, component: "backup", version: imageTag(IMAGES.awsCli) });
  new k8s.KubeServiceAccount(chart, "service-account", {
    metadata: { name: BACKUP_NAMES.serviceAccount, labels, annotations: { "eks.amazonaws.com/role-arn": props.roleArn } },
    automountServiceAccountToken: false,
  });
  new k8s.KubeConfigMap(chart, "scripts", { metadata: { name: BACKUP_NAMES.scripts, labels }, data: { "backup.sh": BACKUP_SCRIPT } });
  const [host, port = "5432"] = props.database ? props.database.endpoint.split(":") : [];
  const mounts = (extra: k8s.VolumeMount[]): k8s.VolumeMount[] => [
    { name: "scripts", mountPath: "/scripts", readOnly: true },
    { name: "backup", mountPath: "/backup" },
    { name: "tmp", mountPath: "/tmp" },
    ...extra,
  ];
  const resources = { requests: { cpu: k8s.Quantity.fromString("100m"), memory: k8s.Quantity.fromString("256Mi") }, limits: { memory: k8s.Quantity.fromString("1Gi") } };
  return new k8s.KubeCronJob(chart, "cron-job", {
    metadata: { name: BACKUP_NAMES.cronJob, labels },
    spec: {
      schedule: BACKUP_SCHEDULE,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3600,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: BACKUP_NAMES.serviceAccount,
              restartPolicy: "Never",
              securityContext: restrictedPodSecurityContext(),
              // Step 1: export into the shared emptyDir (database client image: pg_dump, busybox wget).
              initContainers: [
                {
                  name: "export",
                  image: IMAGES.backupExport,
                  command: ["/bin/sh", SCRIPT_PATH, "export"],
                  env: env({
                    BACKUP_DIR,
                    HOME: "/tmp",
                    TENANTS: props.tenants.join(" "),
                    ALERTMANAGER_URL: props.alertmanagerUrl,
                    PGHOST: host,
                    PGPORT: props.database ? port : undefined,
                    PGDATABASE: props.database?.name,
                    PGSSLMODE: props.database ? "require" : undefined,
                    DATABASE_SECRET_DIR: props.database ? DATABASE_SECRET_DIR : undefined,
                  }),
                  volumeMounts: mounts(props.database ? [{ name: "database", mountPath: DATABASE_SECRET_DIR, readOnly: true }] : []),
                  securityContext: restrictedContainerSecurityContext(),
                  resources,
                },
              ],
              // Step 2: upload with the IRSA role (AWS CLI image).
              containers: [
                {
                  name: "upload",
                  image: IMAGES.awsCli,
                  command: ["/bin/sh", SCRIPT_PATH, "upload"],
                  env: env({
                    BACKUP_DIR,
                    HOME: "/tmp",
                    AWS_REGION: props.region,
                    BUCKET: props.bucket,
                    KMS_KEY_ARN: props.kmsKeyArn,
                    ALERTMANAGER_STATE: props.alertmanagerState,
                  }),
                  volumeMounts: mounts([]),
                  securityContext: restrictedContainerSecurityContext(),
                  resources,
                },
              ],
              volumes: [
                { name: "scripts", configMap: { name: BACKUP_NAMES.scripts } },
                { name: "backup", emptyDir: { sizeLimit: k8s.Quantity.fromString("10Gi") } },
                { name: "tmp", emptyDir: { sizeLimit: k8s.Quantity.fromString("1Gi") } },
                ...(props.database
                  ? [
                      {
                        name: "database",
                        secret: {
                          secretName: GRAFANA_NAMES.databaseSecret,
                          items: [
                            { key: DATABASE_USERNAME_KEY, path: "username" },
                            { key: DATABASE_PASSWORD_KEY, path: "password" },
                          ],
                        },
                      },
                    ]
                  : []),
              ],
            },
          },
        },
      },
    },
  });
}
