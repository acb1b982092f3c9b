import { Chart } from "cdk8s";
import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Construct } from "constructs";
import { serviceFqdn, type ServiceRef } from "./service-ref.js";

export interface ServicePortSpec {
  readonly name: string;
  readonly port: number;
  /** Container port name or number. @default the same number as `port` */
  readonly targetPort?: string | number;
  readonly appProtocol?: string;
}

export interface ServiceOptions {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly ports: readonly ServicePortSpec[];
  /** Headless (clusterIP: None): DNS returns every pod, for client-side balancing and StatefulSet identity. @default false */
  readonly headless?: boolean;
  /** Publish pods before they are ready (gossip seeds, scheduler discovery). @default false */
  readonly publishNotReadyAddresses?: boolean;
}

/**
 * A ClusterIP or headless Service over TCP ports, returning the reference other components use to
 * address it. The namespace is the chart's.
 */
export function service(scope: Construct, options: ServiceOptions): ServiceRef {
  const spec: k8s.ServiceSpec = {
    type: "ClusterIP",
    // cdk8s copies only the keys it knows (`clusterIp`, rendered as clusterIP); undefined is dropped.
    clusterIp: options.headless ? "None" : undefined,
    publishNotReadyAddresses: options.publishNotReadyAddresses ? true : undefined,
    ports: options.ports.map(
      (port): k8s.ServicePort => ({
        name: port.name,
        port: port.port,
        protocol: "TCP",
        targetPort:
          typeof port.targetPort === "string"
            ? k8s.IntOrString.fromString(port.targetPort)
            : k8s.IntOrString.fromNumber(port.targetPort ?? port.port),
        appProtocol: port.appProtocol,
      }),
    ),
    selector: options.selector,
  };
  new k8s.KubeService(scope, `${options.name}-svc`, { metadata: { name: options.name, labels: options.labels }, spec });
  const namespace = Chart.of(scope).namespace;
  if (!namespace) throw new Error(`Service ${options.name} must be created in a namespaced chart`);
  return {
    name: options.name,
    namespace,
    fqdn: serviceFqdn(options.name, namespace),
    ports: Object.fromEntries(options.ports.map((port) => [port.name, port.port])),
    selector: { ...options.selector },
    headless: options.headless ?? false,
  };
}
