/** Settings-completeness cases for the `security` section (src/config/security-schema.ts), edited in prod. */
type Config = Record<string, any>;
interface Case {
  readonly env?: string;
  readonly edit: (config: Config) => void;
}

export const SECURITY_CASES: Record<string, Case> = {
  "security.mtls.enabled": { edit: (c) => (c.security.mtls = { enabled: false }) },
  "security.mtls.ca.remoteKey": { edit: (c) => (c.security.mtls.ca.remoteKey = "observability/prod/other-ca") },
  "security.mtls.ca.certificateProperty": { edit: (c) => (c.security.mtls.ca.certificateProperty = "ca.crt") },
  "security.mtls.ca.keyProperty": { edit: (c) => (c.security.mtls.ca.keyProperty = "ca.key") },
  "security.mtls.requireClientCertificates": { edit: (c) => (c.security.mtls.requireClientCertificates = false) },
  "security.mtls.clusterResourceNamespace": { edit: (c) => (c.security.mtls.clusterResourceNamespace = "cert-manager-system") },
};
