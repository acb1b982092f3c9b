/**
 * The gateway's clients and mTLS (issue #12, src/security/certificates.ts): when the gateway serves TLS (its
 * ServiceRef has an `https` port, config `security.mtls.enabled`), every in-cluster client talks to it over
 * https and presents the client certificate cert-manager issues for its workload into the Secret
 * `<workload>-client-tls` (keys of a cert-manager TLS Secret: tls.crt, tls.key, ca.crt). Otherwise (local)
 * the clients use the plaintext `http` port as before.
 */
import { hostPort, httpUrl, type ServiceRef } from "./service-ref.js";

/** Keys of a cert-manager Certificate's Secret. */
export const TLS_SECRET_KEYS = { certificate: "tls.crt", privateKey: "tls.key", ca: "ca.crt" } as const;

/** Secret of a gateway client's certificate; `workload` is the name of the client's pod group (Deployment, Prometheus `prometheus-<name>`). */
export function clientTlsSecretName(workload: string): string {
  return `${workload}${CLIENT_TLS_SUFFIX}`;
}
export const CLIENT_TLS_SUFFIX = "-client-tls";

/** Whether the gateway serves TLS (and clients must use it with their certificates). */
export function gatewayServesTls(gateway: ServiceRef): boolean {
  return gateway.ports.https !== undefined;
}

/** The URL of a gateway path: `https://<fqdn>:<https port><path>` when it serves TLS, else plaintext on `http`. */
export function gatewayUrl(gateway: ServiceRef, path = ""): string {
  return gatewayServesTls(gateway) ? `https://${hostPort(gateway, "https")}${path}` : httpUrl(gateway, "http", path);
}

/** The client certificate Secret a workload presents to the gateway, or undefined when the gateway is plaintext. */
export function gatewayClientTls(gateway: ServiceRef, workload: string): { readonly secretName: string } | undefined {
  return gatewayServesTls(gateway) ? { secretName: clientTlsSecretName(workload) } : undefined;
}
