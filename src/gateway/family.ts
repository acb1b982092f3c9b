import { KUBE_DNS } from "../lib/cluster.js";
import { hostPort, type ServiceRef } from "../lib/service-ref.js";
import type { Family } from "../synth/family.js";
import { GATEWAY_SERVER_TLS_SECRET } from "../security/certificates.js";
import { Gateway } from "./gateway.js";

const upstream = (ref: ServiceRef | undefined): string | undefined => (ref ? hostPort(ref, "http-metrics") : undefined);

/**
 * The tenancy gateway in front of Mimir's entry points. Routes whose component does not run here
 * (the write path, ruler and Alertmanager in read-only DR) are left out, so they answer 404.
 */
export const gatewayFamily: Family = {
  name: "gateway",
  layer: "gateway",
  build(ctx): void {
    const { config, infra } = ctx;
    if (!config.gateway.enabled) return;
    const mimir = ctx.need("mimir");
    const gateway = new Gateway(ctx.chart("gateway"), "gateway", {
      namespace: ctx.names.namespace,
      instance: ctx.names.instance,
      settings: config.gateway,
      tenants: config.tenants.map((tenant) => tenant.id),
      upstreams: {
        queryFrontend: upstream(mimir.query)!,
        distributor: upstream(mimir.write),
        ruler: upstream(mimir.ruler),
        alertmanager: upstream(mimir.alertmanager),
      },
      resolver: KUBE_DNS,
      trustedProxyCidrs: infra?.loadBalancerSubnetCidrs,
      secretStore: config.secretStore,
      tls: config.security.mtls.enabled
        ? { secretName: GATEWAY_SERVER_TLS_SECRET, verifyClient: config.security.mtls.requireClientCertificates ? "on" : "optional" }
        : undefined,
    });
    ctx.publish("gateway", gateway.service);
  },
};
