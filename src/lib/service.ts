import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Construct } from "constructs";

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
  /** Headless (clusterIP: None): DNS returns every pod, for client-side balancing and StatefulSet identity. */
  readonly headless?: boolean;
  /** Publish pods before they are ready (gossip seeds, scheduler discovery). @default false */
  readonly publishNotReadyAddresses?: boolean;
}

/** A ClusterIP or headless Service over TCP ports. */
export function service(scope: Construct, options: ServiceOptions): k8s.KubeService {
  return new k8s.KubeService(scope, `${options.name}-svc`, {
    metadata: { name: options.name, labels: options.labels },
    spec: {
      type: "ClusterIP",
      ...(options.headless ? { clusterIP: "None" } : {}),
      ...(options.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ports: options.ports.map((port) => ({
        name: port.name,
        port: port.port,
        protocol: "TCP",
        targetPort:
          typeof port.targetPort === "string"
            ? k8s.IntOrString.fromString(port.targetPort)
            : k8s.IntOrString.fromNumber(port.targetPort ?? port.port),
        ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}),
      })),
      selector: options.selector,
    },
  });
}
