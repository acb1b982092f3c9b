import { z } from "zod";
import type { Problem } from "../validate/problem.js";
import { formatPath } from "./errors.js";
import { byCodeUnit } from "../lib/order.js";
import { COMPONENT_FACTS } from "../mimir/components.js";
import { unknownValueMessage } from "./bounded-list.js";
import { cidr } from "./gateway-schema.js";

/** One entry of `terraform output -json`. */
const terraformOutputSchema = z.strictObject({
  sensitive: z.boolean(),
  type: z.unknown(),
  value: z.unknown(),
});

const arn = (service: string) =>
  z
    .string()
    .regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an AWS ${service.toUpperCase()} ARN (arn:aws:${service}:...)`);
const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/, "must be an AWS region such as eu-west-1");
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name");

/** The infrastructure facts the platform consumes, as produced by the AWS Terraform module. */
const infraValuesSchema = z.object({
  project: z.string().min(1),
  environment: z.string().min(1),
  region: awsRegion,
  cluster_name: z.string().min(1),
  availability_zones: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$/, "must be an AWS zone name")),
  mimir_bucket: bucketName,
  mimir_ruler_bucket: bucketName.optional(),
  mimir_alertmanager_bucket: bucketName.optional(),
  kms_key_arn: arn("kms"),
  mimir_irsa_role_arn: arn("iam"),
  component_irsa_role_arns: z.record(z.string(), arn("iam")).optional(),
  load_balancer_subnet_cidrs: z.array(cidr).min(1, "must list at least one subnet CIDR").optional(),
  exporter_irsa_role_arns: z.record(z.string(), arn("iam")).optional(),
  // Amazon Managed Prometheus, for collection.remoteWrite.backend amp (src/collection/).
  amp_workspace_url: z
    .string()
    .regex(/^https:\/\/aps-workspaces\.[a-z0-9-]+\.amazonaws\.com\/workspaces\/ws-[A-Za-z0-9-]+\/?$/, "must be an AMP workspace URL such as https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234abcd/")
    .optional(),
  amp_region: awsRegion.optional(),
  amp_remote_write_role_arn: arn("iam").optional(),
  dr_replication_bucket: bucketName.optional(),
  dr_region: awsRegion.optional(),
  dr_kms_key_arn: arn("kms").optional(),
  grafana_database_endpoint: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/, "must be a host name with an optional port, such as grafana.abc123.eu-west-1.rds.amazonaws.com:5432")
    .optional(),
  grafana_database_name: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a PostgreSQL database name (a-z, 0-9, _)").optional(),
  grafana_irsa_role_arn: arn("iam").optional(),
  // IRSA role of the ServiceAccount the AWS Secrets Manager secret store authenticates with (src/security/).
  external_secrets_irsa_role_arn: arn("iam").optional(),
  // The cluster VPC: Kubernetes API endpoints, nodes (host-network pods), RDS; NetworkPolicy egress (src/security/).
  vpc_cidr: cidr.optional(),
  // Platform add-ons (src/gitops/addons.ts): IRSA roles keyed by add-on (aws_load_balancer_controller, cluster_autoscaler).
  addon_irsa_role_arns: z.record(z.string(), arn("iam")).optional(),
  // The backup CronJob (src/gitops/backup.ts): writes below backups/ in the Mimir bucket.
  backup_irsa_role_arn: arn("iam").optional(),
  // The DR cluster in dr_region (reconciled as the read-only environment): its name and its add-ons' IRSA roles.
  dr_cluster_name: z.string().min(1).optional(),
  dr_addon_irsa_role_arns: z.record(z.string(), arn("iam")).optional(),
});

/** Typed infrastructure facts. Sensitive outputs are dropped at load time and never reach charts. */
export interface InfraOutputs {
  readonly project: string;
  readonly environment: string;
  readonly region: string;
  readonly clusterName: string;
  readonly availabilityZones: readonly string[];
  readonly mimirBucket: string;
  readonly mimirRulerBucket?: string;
  readonly mimirAlertmanagerBucket?: string;
  readonly kmsKeyArn: string;
  readonly mimirRoleArn: string;
  /** Per-component IRSA roles, keyed by Terraform's component key (e.g. `store_gateway`). */
  readonly componentRoleArns: Readonly<Record<string, string>>;
  /** Subnets of the load balancers in front of the gateway: the only trusted X-Forwarded-For sources. */
  readonly loadBalancerSubnetCidrs?: readonly string[];
  /** IRSA roles of exporters, keyed by exporter name. */
  readonly exporterRoleArns: Readonly<Record<string, string>>;
  /** Amazon Managed Prometheus workspace (each part optional; collection checks what it needs). */
  readonly amp: { readonly workspaceUrl?: string; readonly region?: string; readonly remoteWriteRoleArn?: string };
  readonly dr?: {
    readonly bucket: string;
    readonly region: string;
    readonly kmsKeyArn: string;
  };
  /** Grafana's shared PostgreSQL database (RDS); `host:port`, port 5432 when Terraform gives none. */
  readonly grafanaDatabase?: {
    readonly endpoint: string;
    readonly name: string;
  };
  /** IRSA role of Grafana's ServiceAccount (e.g. CloudWatch datasources). */
  readonly grafanaRoleArn?: string;
  /** IRSA role of the secret store's ServiceAccount (AWS Secrets Manager read access). */
  readonly externalSecretsRoleArn?: string;
  /** CIDR of the cluster's VPC (API server endpoints, nodes, databases), for NetworkPolicy egress. */
  readonly vpcCidr?: string;
  /** IRSA roles of the platform add-ons, keyed by Terraform's add-on key (e.g. `cluster_autoscaler`). */
  readonly addonRoleArns?: Readonly<Record<string, string>>;
  /** IRSA role of the backup CronJob (write access below `backups/` in the Mimir bucket). */
  readonly backupRoleArn?: string;
  /** The DR cluster (in dr_region) that reconciles the read-only environment, and its add-ons' IRSA roles. */
  readonly drCluster?: { readonly name: string; readonly addonRoleArns: Readonly<Record<string, string>> };
}

/** Outputs we know about but deliberately do not use, with the reason shown to the user. */
const IGNORED_OUTPUTS: Record<string, string> = {
  mimir_index_table:
    "ignored: Mimir's blocks storage keeps its index inside each TSDB block in the bucket and needs no DynamoDB table (that was Cortex chunks storage); the table can be removed from Terraform",
};

export interface InfraLoadResult {
  readonly outputs: InfraOutputs;
  readonly warnings: readonly string[];
}

/**
 * Parses the text of `terraform output -json`. Sensitive outputs are discarded before anything
 * else sees them. Throws nothing: problems are returned so the caller can report all of them.
 */
export function parseInfraOutputs(
  text: string,
  file: string,
): { result?: InfraLoadResult; problems: Problem[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { problems: [{ file, message: `not valid JSON: ${(error as Error).message}` }] };
  }
  const envelope = z.record(z.string(), terraformOutputSchema).safeParse(raw);
  if (!envelope.success) {
    return {
      problems: envelope.error.issues.map((issue) => ({
        file,
        path: formatPath(issue.path),
        message: `${issue.message} (expected the format of \`terraform output -json\`: {name: {sensitive, type, value}})`,
      })),
    };
  }
  const warnings: string[] = [];
  const values: Record<string, unknown> = {};
  const sensitive = new Set<string>();
  for (const [name, output] of Object.entries(envelope.data).sort(([a], [b]) => byCodeUnit(a, b))) {
    if (output.sensitive) {
      sensitive.add(name); // never let a sensitive value travel further
      continue;
    }
    if (name in IGNORED_OUTPUTS) {
      warnings.push(`${file}: ${name}: ${IGNORED_OUTPUTS[name]}`);
      continue;
    }
    values[name] = output.value;
  }
  const parsed = infraValuesSchema.safeParse(values);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => {
        const [name, ...rest] = issue.path;
        const missing = issue.code === "invalid_type" && rest.length === 0 && values[String(name)] === undefined;
        const message = !missing
          ? issue.message
          : sensitive.has(String(name))
            ? "is marked sensitive; sensitive outputs are dropped unread (they must never reach dist/), so output this one as non-sensitive"
            : "required output is missing";
        return { file, path: formatPath([name ?? "", ...(missing ? [] : ["value"]), ...rest]), message };
      }),
    };
  }
  const v = parsed.data;
  const problems: Problem[] = [];
  const componentKeys = Object.values(COMPONENT_FACTS).map((facts) => facts.terraformKey);
  for (const key of Object.keys(v.component_irsa_role_arns ?? {})) {
    if (!componentKeys.includes(key)) {
      problems.push({
        file,
        path: formatPath(["component_irsa_role_arns", "value", key]),
        message: unknownValueMessage("Mimir component", key, componentKeys),
      });
    }
  }
  const drParts = [v.dr_replication_bucket, v.dr_region, v.dr_kms_key_arn];
  if (drParts.some((part) => part !== undefined) && drParts.some((part) => part === undefined)) {
    problems.push({
      file,
      path: "dr_replication_bucket",
      message: "dr_replication_bucket, dr_region and dr_kms_key_arn must be output together",
    });
  }
  if ((v.grafana_database_endpoint === undefined) !== (v.grafana_database_name === undefined)) {
    problems.push({
      file,
      path: v.grafana_database_endpoint === undefined ? "grafana_database_endpoint" : "grafana_database_name",
      message: "grafana_database_endpoint and grafana_database_name must be output together",
    });
  }
  if (problems.length > 0) return { problems };
  return {
    problems,
    result: {
      warnings,
      outputs: {
        project: v.project,
        environment: v.environment,
        region: v.region,
        clusterName: v.cluster_name,
        availabilityZones: v.availability_zones,
        mimirBucket: v.mimir_bucket,
        ...(v.mimir_ruler_bucket ? { mimirRulerBucket: v.mimir_ruler_bucket } : {}),
        ...(v.mimir_alertmanager_bucket ? { mimirAlertmanagerBucket: v.mimir_alertmanager_bucket } : {}),
        kmsKeyArn: v.kms_key_arn,
        mimirRoleArn: v.mimir_irsa_role_arn,
        componentRoleArns: v.component_irsa_role_arns ?? {},
        loadBalancerSubnetCidrs: v.load_balancer_subnet_cidrs,
        exporterRoleArns: v.exporter_irsa_role_arns ?? {},
        amp: { workspaceUrl: v.amp_workspace_url, region: v.amp_region, remoteWriteRoleArn: v.amp_remote_write_role_arn },
        ...(v.dr_replication_bucket && v.dr_region && v.dr_kms_key_arn
          ? { dr: { bucket: v.dr_replication_bucket, region: v.dr_region, kmsKeyArn: v.dr_kms_key_arn } }
          : {}),
        grafanaDatabase:
          v.grafana_database_endpoint && v.grafana_database_name
            ? {
                endpoint: v.grafana_database_endpoint.includes(":") ? v.grafana_database_endpoint : `${v.grafana_database_endpoint}:5432`,
                name: v.grafana_database_name,
              }
            : undefined,
        grafanaRoleArn: v.grafana_irsa_role_arn,
        externalSecretsRoleArn: v.external_secrets_irsa_role_arn,
        vpcCidr: v.vpc_cidr,
        addonRoleArns: v.addon_irsa_role_arns ?? {},
        backupRoleArn: v.backup_irsa_role_arn,
        drCluster: v.dr_cluster_name ? { name: v.dr_cluster_name, addonRoleArns: v.dr_addon_irsa_role_arns ?? {} } : undefined,
      },
    },
  };
}
