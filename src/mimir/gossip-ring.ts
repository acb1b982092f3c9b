import { Construct } from "constructs";
import { MANAGED_BY } from "../lib/labels.js";
import { service } from "../lib/service.js";
import type { ServiceRef } from "../lib/service-ref.js";
import { MIMIR_PORTS, MIMIR_SERVICE_NAMES, type MimirContext } from "./context.js";

export interface GossipRingProps {
  readonly context: MimirContext;
}

/**
 * Headless seed Service for memberlist: resolves to every gossip member, ready or not, so a new
 * pod can join the ring before it is ready. Named `gossip-ring` as the Mimir mixin expects.
 */
export class GossipRing extends Construct {
  readonly service: ServiceRef;

  constructor(scope: Construct, id: string, props: GossipRingProps) {
    super(scope, id);
    const selector = {
      "app.kubernetes.io/name": "mimir",
      "app.kubernetes.io/instance": props.context.instance,
      "app.kubernetes.io/part-of": "memberlist",
    };
    this.service = service(this, {
      name: MIMIR_SERVICE_NAMES.gossipRing,
      labels: { ...selector, "app.kubernetes.io/managed-by": MANAGED_BY, "prometheus.io/service-monitor": "false" },
      selector,
      headless: true,
      publishNotReadyAddresses: true,
      ports: [{ name: "gossip-ring", port: MIMIR_PORTS.memberlist, targetPort: MIMIR_PORTS.memberlist, appProtocol: "tcp" }],
    });
  }
}
