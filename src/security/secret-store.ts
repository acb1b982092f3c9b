/**
 * The secret store every ExternalSecret of the environment reads from (config `secretStore`), created
 * here so no ExternalSecret names a store that nothing creates:
 *
 * - `aws-secrets-manager`: AWS Secrets Manager in the cluster's region (Terraform output `region`),
 *   authenticated by IRSA: External Secrets requests a token for the store's own ServiceAccount
 *   (`auth.jwt.serviceAccountRef`) and assumes the role in that ServiceAccount's
 *   `eks.amazonaws.com/role-arn` annotation (Terraform output `external_secrets_irsa_role_arn`). No
 *   static AWS keys anywhere.
 * - `vault`: HashiCorp Vault's KV engine, Kubernetes auth (server, KV mount, auth mount and role from
 *   config), logging in with a token of the store's ServiceAccount.
 *
 * The ServiceAccount only identifies the store; no pod runs as it and it mounts no token.
 */
import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Chart } from "cdk8s";
import {
  ClusterSecretStore,
  ClusterSecretStoreSpecProviderAwsService,
  ClusterSecretStoreSpecProviderVaultVersion,
  SecretStore,
  type ClusterSecretStoreSpecProvider,
  type SecretStoreSpecProvider,
} from "../../imports/external-secrets.io.js";
import { ConfigError } from "../config/errors.js";
import type { InfraOutputs } from "../config/infra-outputs.js";
import type { SecretStoreSettings } from "../config/security-schema.js";
import { MANAGED_BY } from "../lib/labels.js";

/** Terraform output holding the IRSA role of the AWS Secrets Manager store's ServiceAccount. */
export const EXTERNAL_SECRETS_ROLE_OUTPUT = "external_secrets_irsa_role_arn";

export interface SecretStoreProps {
  readonly settings: SecretStoreSettings;
  readonly infra: InfraOutputs | undefined;
  /** The platform namespace: the store's ServiceAccount lives there. */
  readonly namespace: string;
  /** Namespaces allowed to use a ClusterSecretStore (those with ExternalSecrets reading it). */
  readonly namespaces: readonly string[];
  readonly instance: string;
  /** For error messages: `overlays/<env>`. */
  readonly overlayDir: string;
}

/** Name of the ServiceAccount the store authenticates as. */
export function storeServiceAccountName(settings: SecretStoreSettings): string {
  return `${settings.name}-store`;
}

function awsRoleArn(props: SecretStoreProps): string {
  const file = `${props.overlayDir}/terraform-outputs.json`;
  if (!props.infra) {
    throw new ConfigError([
      {
        file: `${props.overlayDir}/config.yaml`,
        path: "secretStore.provider",
        message: "aws-secrets-manager needs the Terraform outputs (region, external_secrets_irsa_role_arn), which this environment has none of; use provider vault or remove secretStore",
      },
    ]);
  }
  if (!props.infra.externalSecretsRoleArn) {
    throw new ConfigError([
      {
        file,
        path: EXTERNAL_SECRETS_ROLE_OUTPUT,
        message: `required output is missing: secretStore.provider aws-secrets-manager authenticates with IRSA as the ServiceAccount ${props.namespace}/${storeServiceAccountName(props.settings)}, whose IAM role (read access to the environment's secrets) this output names`,
      },
    ]);
  }
  return props.infra.externalSecretsRoleArn;
}

function provider(props: SecretStoreProps, serviceAccount: string): ClusterSecretStoreSpecProvider {
  const { settings } = props;
  // A ClusterSecretStore is cluster-scoped: its ServiceAccount reference needs the namespace.
  const namespace = settings.kind === "ClusterSecretStore" ? props.namespace : undefined;
  if (settings.provider === "vault") {
    const vault = settings.vault!;
    return {
      vault: {
        server: vault.server,
        path: vault.path,
        version: vault.version === "v1" ? ClusterSecretStoreSpecProviderVaultVersion.V1 : ClusterSecretStoreSpecProviderVaultVersion.V2,
        auth: {
          kubernetes: { mountPath: vault.authMountPath, role: vault.role, serviceAccountRef: { name: serviceAccount, namespace } },
        },
      },
    };
  }
  return {
    aws: {
      service: ClusterSecretStoreSpecProviderAwsService.SECRETS_MANAGER,
      region: props.infra!.region,
      auth: { jwt: { serviceAccountRef: { name: serviceAccount, namespace } } },
    },
  };
}

/**
 * Creates the store and its ServiceAccount: the ServiceAccount in `chart` (namespaced), a
 * ClusterSecretStore in `clusterChart`, a SecretStore in `chart`.
 */
export function createSecretStore(chart: Chart, clusterChart: Chart, props: SecretStoreProps): void {
  const { settings } = props;
  const roleArn = settings.provider === "aws-secrets-manager" ? awsRoleArn(props) : undefined;
  const labels = {
    "app.kubernetes.io/name": "secret-store",
    "app.kubernetes.io/instance": props.instance,
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
  const serviceAccount = storeServiceAccountName(settings);
  new k8s.KubeServiceAccount(chart, "secret-store-service-account", {
    metadata: {
      name: serviceAccount,
      labels,
      annotations: roleArn ? { "eks.amazonaws.com/role-arn": roleArn } : undefined,
    },
    automountServiceAccountToken: false,
  });
  const spec = { provider: provider(props, serviceAccount) };
  if (settings.kind === "ClusterSecretStore") {
    new ClusterSecretStore(clusterChart, "secret-store", {
      metadata: { name: settings.name, labels },
      spec: { ...spec, conditions: [{ namespaces: [...props.namespaces] }] },
    });
  } else {
    // The namespaced store's provider types are generated separately but are the same schema.
    new SecretStore(chart, "secret-store", {
      metadata: { name: settings.name, labels },
      spec: { provider: spec.provider as unknown as SecretStoreSpecProvider },
    });
  }
}
