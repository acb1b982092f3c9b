import type { Construct } from "constructs";
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetTemplateEngineVersion,
  ExternalSecretSpecTargetTemplateMergePolicy,
  type ExternalSecretSpecData,
} from "../../imports/external-secrets.io.js";

/** A reference into the environment's secret store (config only ever holds these, never values). */
export interface SecretStoreRef {
  readonly kind: "ClusterSecretStore" | "SecretStore";
  readonly name: string;
}

/** One key of the target Secret, read from the secret store. */
export interface RemoteSecretValue {
  /** Key in the Kubernetes Secret (or template variable when `template` is set). */
  readonly secretKey: string;
  /** Secret-store key. */
  readonly remoteKey: string;
  /** Property inside a JSON secret. */
  readonly property?: string;
}

export interface ExternalSecretOptions {
  /** Name of the ExternalSecret and of the Secret it creates. */
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly secretStore: SecretStoreRef;
  readonly values: readonly RemoteSecretValue[];
  /**
   * Secret data rendered from the values with External Secrets' v2 templates (e.g. a file combining
   * several secrets). @default the values as they are, one key each
   */
  readonly template?: Readonly<Record<string, string>>;
  /** @default "1h" */
  readonly refreshInterval?: string;
  /** @default the chart's namespace */
  readonly namespace?: string;
}

/**
 * An ExternalSecret that creates (and owns) a Secret from the secret store: the only way secrets
 * reach the cluster outside the local environment, so no secret value is ever in git.
 */
export function externalSecret(scope: Construct, options: ExternalSecretOptions): ExternalSecret {
  return new ExternalSecret(scope, `${options.name}-external-secret`, {
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    spec: {
      refreshInterval: options.refreshInterval ?? "1h",
      secretStoreRef: {
        kind:
          options.secretStore.kind === "SecretStore"
            ? ExternalSecretSpecSecretStoreRefKind.SECRET_STORE
            : ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE,
        name: options.secretStore.name,
      },
      target: {
        name: options.name,
        creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
        template: options.template
          ? {
              engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2,
              mergePolicy: ExternalSecretSpecTargetTemplateMergePolicy.REPLACE,
              type: "Opaque",
              metadata: { labels: options.labels },
              data: { ...options.template },
            }
          : undefined,
      },
      data: options.values.map(
        (value): ExternalSecretSpecData => ({
          secretKey: value.secretKey,
          remoteRef: { key: value.remoteKey, property: value.property },
        }),
      ),
    },
  });
}
