import { z } from "zod";
import { dnsLabel } from "./primitives.js";

/** Secret-store backends the security family can create a store for (src/security/secret-store.ts). */
export const SECRET_STORE_PROVIDERS = ["aws-secrets-manager", "vault"] as const;

/** Vault with Kubernetes auth: External Secrets logs in with a ServiceAccount token of the platform namespace. */
const vaultSchema = z.strictObject({
  /** Vault address, e.g. https://vault.acme.example:8200. */
  server: z.url({ protocol: /^https$/, message: "must be an https:// URL (secrets must not cross the network in clear text)" }),
  /** Mount path of the KV secrets engine the remote keys live under. @default secret */
  path: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, "must be a Vault mount path such as secret or kv/observability")
    .default("secret"),
  /** KV engine version. @default v2 */
  version: z.enum(["v1", "v2"]).default("v2"),
  /** Mount path of Vault's Kubernetes auth method for this cluster. @default kubernetes */
  authMountPath: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, "must be a Vault auth mount path such as kubernetes or k8s/prod")
    .default("kubernetes"),
  /** Vault role bound to the store's ServiceAccount (bound_service_account_names/namespaces). */
  role: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a Vault role name (letters, digits, _ . -)"),
});

/**
 * Where secrets live; config only ever holds references into it. The security family creates the store
 * itself: a ClusterSecretStore or SecretStore named `name`, backed by AWS Secrets Manager (IRSA, region
 * from the Terraform outputs) or by Vault (Kubernetes auth).
 */
export const secretStoreSchema = z
  .strictObject({
    kind: z.enum(["ClusterSecretStore", "SecretStore"]).default("ClusterSecretStore"),
    name: dnsLabel,
    /** @default aws-secrets-manager */
    provider: z.enum(SECRET_STORE_PROVIDERS).default("aws-secrets-manager"),
    /** Required with provider vault, rejected otherwise. */
    vault: vaultSchema.optional(),
  })
  .superRefine((store, ctx) => {
    if (store.provider === "vault" && !store.vault) {
      ctx.addIssue({ code: "custom", path: ["vault"], message: "required with provider vault: {server, role} (path, version, authMountPath have defaults)" });
    }
    if (store.provider !== "vault" && store.vault) {
      ctx.addIssue({ code: "custom", path: ["vault"], message: `has no effect with provider ${store.provider}; remove it or set provider: vault` });
    }
  });
export type SecretStoreSettings = z.infer<typeof secretStoreSchema>;

/** A CA key pair in the secret store (PEM certificate and private key, as two properties of one secret). */
const caKeyPairSchema = z.strictObject({
  remoteKey: z.string().min(1),
  certificateProperty: z.string().min(1).default("tls.crt"),
  keyProperty: z.string().min(1).default("tls.key"),
});

/**
 * mTLS with cert-manager (src/security/certificates.ts): the `monitoring-ca` ClusterIssuer signs the
 * gateway's server certificate and its clients' certificates; the gateway serves TLS on its `https` port.
 */
const mtlsSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** The CA key pair (from the secret store, through an ExternalSecret in cert-manager's namespace). */
    ca: caKeyPairSchema.optional(),
    /** nginx `ssl_verify_client on`: a TLS client without a certificate signed by the CA is refused. */
    requireClientCertificates: z.boolean().default(false),
    /** Namespace cert-manager reads ClusterIssuer secrets from (its --cluster-resource-namespace). */
    clusterResourceNamespace: dnsLabel.default("cert-manager"),
  })
  .superRefine((mtls, ctx) => {
    if (mtls.enabled && !mtls.ca) ctx.addIssue({ code: "custom", path: ["ca"], message: "required with enabled: true: {remoteKey, certificateProperty, keyProperty} of the CA key pair in the secret store" });
    if (!mtls.enabled) {
      const set = (["ca", "requireClientCertificates"] as const).filter((key) => key === "ca" ? mtls.ca !== undefined : mtls.requireClientCertificates);
      if (set.length > 0) ctx.addIssue({ code: "custom", path: [set[0]!], message: "has no effect while mTLS is off (enabled: false)" });
    }
  });

export const SECURITY_DEFAULTS = { mtls: { enabled: false, requireClientCertificates: false, clusterResourceNamespace: "cert-manager" } };

export const securitySchema = z.strictObject({
  mtls: mtlsSchema.default(SECURITY_DEFAULTS.mtls),
});
export type SecuritySettings = z.infer<typeof securitySchema>;

/** Cross-field checks against the rest of the config. */
export function checkSecurity(config: { security: SecuritySettings; secretStore?: unknown; mimir: { deploymentMode: string }; gateway: { enabled: boolean } }, ctx: z.RefinementCtx): void {
  const mtls = config.security.mtls;
  if (!mtls.enabled) return;
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path: ["security", "mtls", ...path], message });
  if (config.mimir.deploymentMode === "monolithic") issue(["enabled"], "the local (monolithic) environment runs without mTLS, as the old design did; remove it");
  else if (!config.secretStore) issue(["ca"], "is a secret reference, which needs secretStore");
  else if ((config.secretStore as { kind?: string }).kind === "SecretStore") {
    issue(["ca"], `is read in cert-manager's namespace (${mtls.clusterResourceNamespace}), which a namespaced SecretStore cannot serve: use secretStore.kind ClusterSecretStore`);
  }
  if (!config.gateway.enabled) issue(["enabled"], "mTLS protects the gateway, which is disabled here");
}
