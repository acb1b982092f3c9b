import { CLUSTER_DOMAIN } from "./cluster.js";

/**
 * What other components need to know about a Service: every cross-reference (mimir.yaml
 * addresses, nginx upstreams, and later monitors, network policies, certificates, datasources)
 * is derived from one of these, so no host name or port is typed twice.
 */
export interface ServiceRef {
  readonly name: string;
  readonly namespace: string;
  /** `<name>.<namespace>.svc.cluster.local` */
  readonly fqdn: string;
  /** Service port number by port name. */
  readonly ports: Readonly<Record<string, number>>;
  /** Pod labels the Service selects. */
  readonly selector: Readonly<Record<string, string>>;
  /** clusterIP None: DNS answers with every pod instead of one virtual IP. */
  readonly headless: boolean;
}

/** Fully qualified in-cluster DNS name of a Service. */
export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** The number of a named port; a missing name is a programming error caught at synth time. */
export function portOf(ref: ServiceRef, portName: string): number {
  const port = ref.ports[portName];
  if (port === undefined) {
    throw new Error(`Service ${ref.name} has no port named "${portName}" (has: ${Object.keys(ref.ports).join(", ")})`);
  }
  return port;
}

/** `fqdn:port` of a named port. */
export function hostPort(ref: ServiceRef, portName: string): string {
  return `${ref.fqdn}:${portOf(ref, portName)}`;
}

/** `http://fqdn:port<path>` of a named port. */
export function httpUrl(ref: ServiceRef, portName: string, path = ""): string {
  return `http://${hostPort(ref, portName)}${path}`;
}

/**
 * A DNS service-discovery address in Mimir's (dskit) syntax: `dns+` resolves A records, so every pod
 * of a headless Service; anything else would see one virtual IP and lose client-side sharding. The
 * trailing dot makes the name absolute, so the resolver does not try the pod's search domains first.
 */
export function dnsDiscoveryAddress(ref: ServiceRef, portName: string): string {
  requireHeadless(ref, "dns+ discovery");
  return `dns+${ref.fqdn}.:${portOf(ref, portName)}`;
}

/** SRV discovery without A lookups (`dnssrvnoa+`), e.g. the ruler's Alertmanager URL. */
export function srvDiscoveryUrl(ref: ServiceRef, portName: string, path: string): string {
  requireHeadless(ref, "SRV discovery");
  portOf(ref, portName);
  return `dnssrvnoa+http://_${portName}._tcp.${ref.fqdn}.${path}`;
}

function requireHeadless(ref: ServiceRef, use: string): void {
  if (!ref.headless) throw new Error(`Service ${ref.name} must be headless for ${use}`);
}
