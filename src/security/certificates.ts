/**
 * mTLS with cert-manager (config `security.mtls`, cloud environments; local runs without, as the old
 * design did):
 *
 * - the CA key pair comes from the secret store: an ExternalSecret creates the Secret `monitoring-ca` in
 *   cert-manager's cluster resource namespace, where the `monitoring-ca` ClusterIssuer (CA issuer) reads it;
 * - Certificates signed by it: the gateway's server certificate (every in-cluster name of its Service) and
 *   client certificates for the gateway's clients that run here (Prometheus, OTel Collector, Grafana),
 *   90 days, renewed 30 days before expiry, new private key on every renewal.
 *
 * The gateway mounts its server Secret (ca.crt included) and serves TLS on its `https` port, verifying
 * client certificates against the CA (required when `requireClientCertificates`).
 */
import type { Chart } from "cdk8s";
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
  ClusterIssuer,
} from "../../imports/cert-manager.io.js";
import type { SecretStoreRef } from "../lib/external-secret.js";
import { externalSecret } from "../lib/external-secret.js";
import { MANAGED_BY } from "../lib/labels.js";
import { clientTlsSecretName } from "../lib/mtls.js";
import type { ServiceRef } from "../lib/service-ref.js";
import type { SecuritySettings } from "../config/security-schema.js";

export const MONITORING_CA = "monitoring-ca";
/** The gateway's server certificate Secret (tls.crt, tls.key, ca.crt), mounted by the gateway. */
export const GATEWAY_SERVER_TLS_SECRET = "gateway-server-tls";
export const CERTIFICATE_DURATION = "2160h"; // 90 days
export const CERTIFICATE_RENEW_BEFORE = "720h"; // 30 days

/** A client of the gateway that gets a certificate. */
export interface GatewayClient {
  /** Certificate, Secret (`<name>-client-tls`) and common name. */
  readonly name: string;
}

export interface CertificatesProps {
  readonly mtls: SecuritySettings["mtls"];
  readonly secretStore: SecretStoreRef;
  readonly instance: string;
  readonly gateway: ServiceRef;
  readonly clients: readonly GatewayClient[];
}

export function clientSecretName(client: GatewayClient): string {
  return clientTlsSecretName(client.name);
}

/** Every name the gateway's Service answers to inside the cluster. */
export function gatewayDnsNames(gateway: ServiceRef): string[] {
  return [gateway.fqdn, `${gateway.name}.${gateway.namespace}.svc`, `${gateway.name}.${gateway.namespace}`, gateway.name];
}

export function createCertificates(chart: Chart, clusterChart: Chart, props: CertificatesProps): void {
  const { mtls } = props;
  const ca = mtls.ca!;
  const labels = { "app.kubernetes.io/name": "monitoring-ca", "app.kubernetes.io/instance": props.instance, "app.kubernetes.io/managed-by": MANAGED_BY };
  externalSecret(chart, {
    name: MONITORING_CA,
    namespace: mtls.clusterResourceNamespace,
    labels,
    secretStore: props.secretStore,
    values: [
      { secretKey: "tls.crt", remoteKey: ca.remoteKey, property: ca.certificateProperty },
      { secretKey: "tls.key", remoteKey: ca.remoteKey, property: ca.keyProperty },
    ],
  });
  new ClusterIssuer(clusterChart, "monitoring-ca-issuer", {
    metadata: { name: MONITORING_CA, labels },
    spec: { ca: { secretName: MONITORING_CA } },
  });
  const certificate = (id: string, name: string, secretName: string, usage: CertificateSpecUsages, names: { commonName: string; dnsNames?: string[] }) =>
    new Certificate(chart, id, {
      metadata: { name, labels },
      spec: {
        secretName,
        issuerRef: { kind: "ClusterIssuer", name: MONITORING_CA, group: "cert-manager.io" },
        commonName: names.commonName,
        dnsNames: names.dnsNames,
        duration: CERTIFICATE_DURATION,
        renewBefore: CERTIFICATE_RENEW_BEFORE,
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256, rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS },
        usages: [CertificateSpecUsages.DIGITAL_SIGNATURE, usage],
      },
    });
  const dnsNames = gatewayDnsNames(props.gateway);
  certificate("gateway-server-certificate", "gateway-server", GATEWAY_SERVER_TLS_SECRET, CertificateSpecUsages.SERVER_AUTH, { commonName: dnsNames[0]!, dnsNames });
  for (const client of props.clients) {
    certificate(`${client.name}-client-certificate`, `${client.name}-client`, clientSecretName(client), CertificateSpecUsages.CLIENT_AUTH, { commonName: client.name });
  }
}
