/**
 * Default-deny NetworkPolicies with explicit allows, DERIVED from what the other families synthesized (the
 * security family runs last and reads their objects, see objects.ts), so a family added later gets its
 * flows without a list to maintain here:
 *
 * - every namespace we create: deny all ingress and egress except DNS to kube-dns;
 * - service references: every `<service>.<namespace>.svc` address in what a pod reads (mounted ConfigMaps,
 *   Secrets and ExternalSecret templates, container args and env, a Prometheus object's spec) allows that
 *   pod to reach the Service's pods on the referenced port (mimir.yaml addresses: schedulers, caches,
 *   memberlist, Alertmanager, ruler → query-frontend; the gateway's nginx upstreams; Grafana's
 *   datasources; remote-write URLs). A Service in a namespace we do not create (Tempo) becomes a
 *   namespace peer on that port;
 * - Mimir's gRPC among Mimir pods (ring clients: distributor → ingester, querier → store-gateway, queriers
 *   answering the query-frontend);
 * - every monitor's scrape: Prometheus → PodMonitor/ServiceMonitor targets on the scraped port, → the
 *   blackbox exporter of a Probe, and the exporter → the probed URLs; host-network targets (node-exporter)
 *   through the VPC CIDR;
 * - the load balancer subnets (Terraform `load_balancer_subnet_cidrs`) → the gateway and Grafana;
 * - the Kubernetes API (VPC CIDR, 443) for pods whose ServiceAccount is bound by RBAC;
 * - AWS endpoints on 443 for pods whose ServiceAccount has an IRSA role; Grafana's database and OIDC
 *   provider; Alertmanager's receivers (HTTPS and the SMTP smarthost).
 *
 * Public destinations are `0.0.0.0/0` minus the private ranges, on the needed port only.
 */
import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";
import type { Chart } from "cdk8s";
import type { PlatformConfig } from "../config/schema.js";
import type { InfraOutputs } from "../config/infra-outputs.js";
import { ANNOTATION_DEFAULTS, ENABLED_LABEL as COLLECTION_ENABLED_LABEL } from "../collection/policy.js";
import { MANAGED_BY } from "../lib/labels.js";
import type { ServiceRef } from "../lib/service-ref.js";
import { isMimirImage } from "../validate/mimir-flags.js";
import type { RenderedObject } from "./objects.js";

export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;
export const PUBLIC = "0.0.0.0/0";
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
export const DEFAULT_DENY = "default-deny";
export const KUBE_DNS_PEER = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };

type Json = Record<string, any>;
type Labels = Record<string, string>;
type Protocol = "TCP" | "UDP";

/** The pods of one workload (or of one Prometheus Operator object). */
export interface PodGroup {
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Labels that select exactly this workload's pods. */
  readonly selector: Labels;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly ports: readonly { readonly name?: string; readonly port: number; readonly protocol: Protocol }[];
  readonly serviceAccount: string;
  readonly hostNetwork: boolean;
  readonly mimir: readonly string[];
  /** Everything the pods read that may name another Service. */
  readonly texts: readonly string[];
}

export type Peer =
  | { readonly kind: "group"; readonly group: PodGroup }
  | { readonly kind: "cidr"; readonly cidr: string; readonly except?: readonly string[] }
  /** Pods of a namespace given by name, or of every namespace with `namespaceLabels`. */
  | { readonly kind: "namespace"; readonly namespace: string; readonly podLabels?: Labels; readonly namespaceLabels?: Labels };

export interface Flow {
  readonly from: PodGroup;
  readonly to: Peer;
  readonly port: number;
  readonly protocol: Protocol;
  readonly why: string;
}

/** An ingress flow from outside the cluster's pods (load balancers). */
export interface InboundFlow {
  readonly from: Peer;
  readonly to: PodGroup;
  readonly port: number;
  readonly why: string;
}

interface ServiceInfo {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Labels;
  readonly ports: readonly { readonly name?: string; readonly port: number; readonly targetPort: string | number; readonly protocol: Protocol }[];
}

const str = (v: unknown): v is string => typeof v === "string";
const matches = (selector: Labels, labels: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

function configTexts(objects: readonly RenderedObject[]) {
  const byName = new Map<string, string[]>();
  const add = (namespace: string, name: string, values: unknown) => {
    const key = `${namespace}/${name}`;
    const list = byName.get(key) ?? [];
    list.push(JSON.stringify(values ?? {}));
    byName.set(key, list);
  };
  for (const o of objects) {
    const ns = o.metadata.namespace ?? "";
    if (o.kind === "ConfigMap" || o.kind === "Secret") add(ns, o.metadata.name, { ...(o.data ?? {}), ...((o as Json).stringData ?? {}) });
    if (o.kind === "ExternalSecret") add(ns, o.spec?.target?.name ?? o.metadata.name, o.spec?.target?.template ?? {});
  }
  return (namespace: string, name: string) => byName.get(`${namespace}/${name}`) ?? [];
}

/** The pod groups of the environment. */
export function podGroups(objects: readonly RenderedObject[], defaultNamespace: string): PodGroup[] {
  const texts = configTexts(objects);
  const groups: PodGroup[] = [];
  for (const o of objects) {
    const namespace = o.metadata.namespace ?? defaultNamespace;
    if (o.apiVersion.startsWith("monitoring.coreos.com/") && (o.kind === "Prometheus" || o.kind === "PrometheusAgent")) {
      const spec: Json = o.spec ?? {};
      const agent = o.kind === "PrometheusAgent";
      const selector = { "app.kubernetes.io/name": agent ? "prometheus-agent" : "prometheus", "operator.prometheus.io/name": o.metadata.name };
      groups.push({
        key: `${namespace}/${o.kind}/${o.metadata.name}`,
        kind: o.kind,
        name: `prometheus-${o.metadata.name}`,
        namespace,
        selector,
        labels: { ...(spec.podMetadata?.labels ?? {}), ...selector, "app.kubernetes.io/instance": o.metadata.name },
        annotations: {},
        ports: [
          { name: spec.portName ?? "web", port: 9090, protocol: "TCP" },
          { name: "reloader-web", port: 8080, protocol: "TCP" },
        ],
        serviceAccount: spec.serviceAccountName ?? "default",
        hostNetwork: spec.hostNetwork === true,
        mimir: [],
        texts: [JSON.stringify(spec)],
      });
      continue;
    }
    const template = podTemplate(o);
    if (!template) continue;
    const pod: Json = template.spec;
    const sidecars = (pod.initContainers ?? []).filter((c: Json) => c.restartPolicy === "Always");
    const containers: Json[] = [...pod.containers, ...sidecars];
    const read: string[] = [];
    for (const volume of pod.volumes ?? []) {
      if (volume.configMap?.name) read.push(...texts(namespace, volume.configMap.name));
      if (volume.secret?.secretName) read.push(...texts(namespace, volume.secret.secretName));
      for (const source of volume.projected?.sources ?? []) {
        if (source.configMap?.name) read.push(...texts(namespace, source.configMap.name));
        if (source.secret?.name) read.push(...texts(namespace, source.secret.name));
      }
    }
    for (const c of [...containers, ...(pod.initContainers ?? [])]) {
      // A name in a certificate flag (e.g. rollout-operator's -server-tls.self-signed-cert.dns-name) is not a connection.
      const args = (c.args ?? []).filter((a: unknown) => !(str(a) && /dns-name|cert/.test(a.split("=")[0]!)));
      read.push(JSON.stringify({ args, command: c.command, env: c.env }));
    }
    groups.push({
      key: `${namespace}/${o.kind}/${o.metadata.name}`,
      kind: o.kind,
      name: o.metadata.name,
      namespace,
      selector: podSelector(o, template),
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}) },
      ports: containers.flatMap((c) => (c.ports ?? []).map((p: Json) => ({ name: p.name, port: p.containerPort, protocol: p.protocol === "UDP" ? "UDP" : "TCP" }))),
      serviceAccount: pod.serviceAccountName ?? "default",
      hostNetwork: pod.hostNetwork === true,
      mimir: containers.filter((c) => isMimirImage(c.image)).map((c) => targetOf(c.args)),
      texts: read,
    });
  }
  return groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The pod template of a workload: `spec.template` (Deployment, StatefulSet, DaemonSet, Job) or
 * `spec.jobTemplate.spec.template` (CronJob). Undefined for objects that run no pods.
 */
function podTemplate(o: RenderedObject): Json | undefined {
  const template: Json | undefined = o.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
  return template?.spec && Array.isArray(template.spec.containers) ? template : undefined;
}

/** Keys that identify a workload's pods when it has no selector of its own (Jobs get a generated one). */
const IDENTITY_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component"] as const;

/** Labels selecting exactly the workload's pods: its selector, or (Job, CronJob) the template's identity labels. */
function podSelector(o: RenderedObject, template: Json): Labels {
  if (o.spec?.selector?.matchLabels) return { ...o.spec.selector.matchLabels };
  const labels: Labels = template.metadata?.labels ?? {};
  const identity = Object.fromEntries(IDENTITY_LABELS.filter((k) => labels[k] !== undefined).map((k) => [k, labels[k]!]));
  if (Object.keys(identity).length === 0) throw new Error(`network policies: ${o.kind}/${o.metadata.name} has no selector and no ${IDENTITY_LABELS.join("/")} labels on its pods`);
  return identity;
}

function targetOf(args: unknown): string {
  const arg = Array.isArray(args) ? args.find((a) => str(a) && /^--?target=/.test(a)) : undefined;
  return arg ? arg.slice(arg.indexOf("=") + 1) : "all";
}

function services(objects: readonly RenderedObject[], defaultNamespace: string): Map<string, ServiceInfo> {
  const out = new Map<string, ServiceInfo>();
  for (const o of objects) {
    if (o.apiVersion !== "v1" || o.kind !== "Service" || !o.spec?.selector) continue;
    const namespace = o.metadata.namespace ?? defaultNamespace;
    out.set(`${namespace}/${o.metadata.name}`, {
      name: o.metadata.name,
      namespace,
      selector: { ...o.spec.selector },
      ports: (o.spec.ports ?? []).map((p: Json) => ({ name: p.name, port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol === "UDP" ? "UDP" : "TCP" })),
    });
  }
  return out;
}

/** `<service>.<namespace>.svc[.cluster.local][.][:port]`, with an optional SRV `_<port-name>._tcp.` prefix. */
const SERVICE_HOST = /(?:_([a-z0-9-]+)\._(?:tcp|udp)\.)?\b([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?\.?(?::([0-9]{1,5}))?/g;

/** The container port a Service port reaches on one group (undefined when the group does not serve it). */
function containerPort(group: PodGroup, targetPort: string | number): number | undefined {
  if (typeof targetPort === "number") return group.ports.some((p) => p.port === targetPort) ? targetPort : undefined;
  return group.ports.find((p) => p.name === targetPort)?.port;
}

export interface DeriveInputs {
  readonly objects: readonly RenderedObject[];
  readonly namespace: string;
  readonly config: PlatformConfig;
  readonly infra: InfraOutputs;
  readonly gateway?: ServiceRef;
  readonly grafana?: ServiceRef;
}

/** Every flow the platform needs, derived as described at the top of this file. */
export function deriveFlows(inputs: DeriveInputs): { groups: PodGroup[]; flows: Flow[]; inbound: InboundFlow[]; problems: string[] } {
  const { objects, infra, config } = inputs;
  const groups = podGroups(objects, inputs.namespace);
  const svc = services(objects, inputs.namespace);
  const owned = new Set(objects.filter((o) => o.kind === "Namespace" && o.apiVersion === "v1").map((o) => o.metadata.name));
  const flows: Flow[] = [];
  const inbound: InboundFlow[] = [];
  const problems: string[] = [];
  const vpc = infra.vpcCidr;
  const publicPeer: Peer = { kind: "cidr", cidr: PUBLIC, except: [...PRIVATE_RANGES] };
  const vpcPeer = (): Peer | undefined => (vpc ? { kind: "cidr", cidr: vpc } : undefined);
  const needVpc = (why: string) => {
    if (!vpc) problems.push(why);
    return vpcPeer();
  };
  /** A flow to a group: host-network pods are reached at their node's address, inside the VPC. */
  const toGroup = (from: PodGroup, to: PodGroup, port: number, protocol: Protocol, why: string) => {
    if (to.hostNetwork) {
      const peer = needVpc(`${from.name} → ${to.name} (host network)`);
      if (peer) flows.push({ from, to: peer, port, protocol, why: `${why} (host network: node addresses)` });
    } else {
      flows.push({ from, to: { kind: "group", group: to }, port, protocol, why });
    }
  };
  const toService = (from: PodGroup, service: ServiceInfo, pick: (p: ServiceInfo["ports"][number]) => boolean, why: string) => {
    for (const sp of service.ports.filter(pick)) {
      for (const target of groups.filter((g) => g.namespace === service.namespace && matches(service.selector, g.labels))) {
        const port = containerPort(target, sp.targetPort);
        if (port !== undefined) toGroup(from, target, port, sp.protocol, why);
      }
    }
  };

  // Service references in what each pod reads.
  for (const group of groups) {
    for (const text of group.texts) {
      for (const m of text.matchAll(SERVICE_HOST)) {
        const [, srvName, name, namespace, portText] = m;
        const service = svc.get(`${namespace}/${name}`);
        const port = portText ? Number(portText) : undefined;
        const why = `${group.name} reads address ${m[0]}`;
        if (service) {
          toService(group, service, (p) => (srvName ? p.name === srvName : port === undefined || p.port === port), why);
          // A pod's own address on a headless Service (pod.svc.ns.svc) names the container port directly.
          if (port !== undefined && !service.ports.some((p) => p.port === port)) toService(group, service, () => true, why);
        } else if (!owned.has(namespace!) && namespace !== KUBE_DNS_PEER.namespace && port !== undefined) {
          flows.push({ from: group, to: { kind: "namespace", namespace: namespace! }, port, protocol: "TCP", why });
        }
      }
    }
  }

  // Mimir gRPC among Mimir pods (ring clients, queriers answering the query-frontend).
  const mimirGroups = groups.filter((g) => g.mimir.length > 0);
  for (const from of mimirGroups) {
    for (const to of mimirGroups) {
      for (const p of to.ports.filter((q) => q.name === "grpc")) toGroup(from, to, p.port, p.protocol, "Mimir gRPC");
    }
  }

  // Scrapes: every Prometheus reaches every monitor's targets.
  const scrapers = groups.filter((g) => g.kind === "Prometheus" || g.kind === "PrometheusAgent");
  for (const o of objects.filter((x) => x.apiVersion.startsWith("monitoring.coreos.com/"))) {
    const namespace = o.metadata.namespace ?? inputs.namespace;
    const spec: Json = o.spec ?? {};
    const selector: Labels = spec.selector?.matchLabels ?? {};
    const namespaces: string[] = spec.namespaceSelector?.matchNames ?? [namespace];
    const why = `${o.kind}/${o.metadata.name} scrape`;
    if (o.kind === "PodMonitor") {
      for (const target of groups.filter((g) => namespaces.includes(g.namespace) && matches(selector, g.labels))) {
        for (const ep of spec.podMetricsEndpoints ?? []) {
          const port = ep.port !== undefined ? containerPort(target, ep.port) : ep.portNumber;
          if (port !== undefined) for (const s of scrapers) toGroup(s, target, port, "TCP", why);
        }
      }
    } else if (o.kind === "ServiceMonitor") {
      const selected = [...svc.values()].filter((s) => namespaces.includes(s.namespace) && matches(selector, labelsOf(objects, s)));
      for (const service of selected) {
        for (const ep of spec.endpoints ?? []) for (const s of scrapers) toService(s, service, (p) => p.name === ep.port, why);
      }
    } else if (o.kind === "Probe") {
      for (const s of scrapers) {
        for (const m of String(spec.prober?.url ?? "").matchAll(SERVICE_HOST)) {
          const service = svc.get(`${m[3]}/${m[2]}`);
          if (service) toService(s, service, (p) => m[4] === undefined || p.port === Number(m[4]), why);
        }
      }
      const prober = String(spec.prober?.url ?? "").match(/^([a-z0-9-]+)\.([a-z0-9-]+)\.svc/);
      const exporters = prober ? groups.filter((g) => { const service = svc.get(`${prober[2]}/${prober[1]}`); return service !== undefined && g.namespace === service.namespace && matches(service.selector, g.labels); }) : [];
      for (const target of spec.targets?.staticConfig?.static ?? []) {
        const url = /^(https?):\/\/([^/:]+)(?::(\d+))?/.exec(String(target));
        if (!url) continue;
        const port = url[3] ? Number(url[3]) : url[1] === "https" ? 443 : 80;
        for (const e of exporters) flows.push({ from: e, to: publicPeer, port, protocol: "TCP", why: `${why}: probes ${target}` });
      }
    } else if (o.kind === "ScrapeConfig") {
      // kubernetes_sd pod role: annotated pods of ours (prometheus.io/port) that match the label selectors.
      for (const sd of spec.kubernetesSDConfigs ?? []) {
        const wanted: Labels = Object.fromEntries((sd.selectors ?? []).flatMap((sel: Json) => String(sel.label ?? "").split(",").filter((kv) => kv.includes("=")).map((kv) => kv.split("=") as [string, string])));
        for (const target of groups.filter((g) => g.annotations["prometheus.io/scrape"] === "true" && matches(wanted, g.labels))) {
          const port = Number(target.annotations["prometheus.io/port"] ?? ANNOTATION_DEFAULTS.port);
          if (port) for (const s of scrapers) toGroup(s, target, port, "TCP", why);
        }
        // Opted-in pods of other namespaces (tenants' apps), on the default annotation port only.
        if (Object.keys(wanted).length > 0) {
          for (const s of scrapers) {
            flows.push({ from: s, to: { kind: "namespace", namespace: "", namespaceLabels: {}, podLabels: wanted }, port: ANNOTATION_DEFAULTS.port, protocol: "TCP", why: `${why} (opted-in pods of every namespace)` });
          }
        }
      }
    }
  }

  // Load balancers → the gateway and Grafana.
  for (const [ref, what] of [[inputs.gateway, "gateway"], [inputs.grafana, "grafana"]] as const) {
    if (!ref) continue;
    const cidrs = infra.loadBalancerSubnetCidrs;
    if (!cidrs) {
      problems.push(`the load balancers in front of ${what}`);
      continue;
    }
    const service = svc.get(`${ref.namespace}/${ref.name}`);
    // With mTLS the load balancers reach the gateway on its TLS port only (client certificates checked there).
    const portName = ref.ports.https !== undefined ? "https" : "http";
    const sp = service?.ports.find((p) => p.name === portName);
    for (const target of groups.filter((g) => service && g.namespace === service.namespace && matches(service.selector, g.labels))) {
      const port = sp ? containerPort(target, sp.targetPort) : undefined;
      if (port !== undefined) for (const cidr of cidrs) inbound.push({ from: { kind: "cidr", cidr }, to: target, port, why: `load balancer → ${what}` });
    }
  }

  // The API server (VPC) calls admission webhooks served by our pods.
  for (const o of objects.filter((x) => x.kind === "ValidatingWebhookConfiguration" || x.kind === "MutatingWebhookConfiguration")) {
    for (const webhook of ((o as Json).webhooks ?? []) as Json[]) {
      const ref = webhook.clientConfig?.service;
      const service = ref ? svc.get(`${ref.namespace}/${ref.name}`) : undefined;
      if (!service) continue;
      const sp = service.ports.find((p) => p.port === (ref.port ?? 443));
      const peer = needVpc(`the Kubernetes API server → ${o.kind}/${o.metadata.name}`);
      for (const target of groups.filter((g) => g.namespace === service.namespace && matches(service.selector, g.labels))) {
        const port = sp ? containerPort(target, sp.targetPort) : undefined;
        if (peer && port !== undefined) inbound.push({ from: peer, to: target, port, why: `admission webhook ${o.kind}/${o.metadata.name}` });
      }
    }
  }

  // OTLP receivers (Service ports named otlp-*) take pushes from every namespace opted into collection.
  for (const service of svc.values()) {
    for (const sp of service.ports.filter((p) => p.name?.startsWith("otlp-"))) {
      for (const target of groups.filter((g) => g.namespace === service.namespace && matches(service.selector, g.labels))) {
        const port = containerPort(target, sp.targetPort);
        if (port !== undefined) inbound.push({ from: { kind: "namespace", namespace: "", podLabels: undefined, namespaceLabels: { [COLLECTION_ENABLED_LABEL]: "true" } }, to: target, port, why: `OTLP push to ${service.name}` });
      }
    }
  }

  // Kubernetes API for RBAC-bound ServiceAccounts; AWS for IRSA ones.
  const bound = new Set<string>();
  for (const o of objects.filter((x) => x.kind === "RoleBinding" || x.kind === "ClusterRoleBinding")) {
    for (const subject of ((o as Json).subjects ?? []) as Json[]) {
      if (subject.kind === "ServiceAccount") bound.add(`${subject.namespace ?? o.metadata.namespace}/${subject.name}`);
    }
  }
  const irsa = new Set(
    objects.filter((o) => o.kind === "ServiceAccount" && o.metadata.annotations?.["eks.amazonaws.com/role-arn"]).map((o) => `${o.metadata.namespace ?? inputs.namespace}/${o.metadata.name}`),
  );
  for (const g of groups) {
    if (g.hostNetwork) continue;
    if (bound.has(`${g.namespace}/${g.serviceAccount}`)) {
      const peer = needVpc(`${g.name} → the Kubernetes API`);
      if (peer) flows.push({ from: g, to: peer, port: 443, protocol: "TCP", why: "Kubernetes API (RBAC-bound ServiceAccount)" });
    }
    if (irsa.has(`${g.namespace}/${g.serviceAccount}`)) {
      flows.push({ from: g, to: publicPeer, port: 443, protocol: "TCP", why: "AWS APIs (IRSA)" });
      const peer = vpcPeer();
      if (peer) flows.push({ from: g, to: peer, port: 443, protocol: "TCP", why: "AWS VPC endpoints (IRSA)" });
    }
  }

  // Grafana's database (RDS, inside the VPC): every pod that reads its host name (Grafana, the backup's pg_dump).
  if (infra.grafanaDatabase) {
    const [host, portText] = infra.grafanaDatabase.endpoint.split(":");
    const port = Number(portText ?? 5432);
    for (const g of groups.filter((x) => x.texts.some((text) => text.includes(host!)))) {
      const peer = needVpc(`${g.name} → Grafana's database`);
      if (peer) flows.push({ from: g, to: peer, port, protocol: "TCP", why: "Grafana database (RDS)" });
    }
  }
  // Grafana's identity provider; Alertmanager's receivers.
  for (const g of groups.filter((x) => inputs.grafana && x.namespace === inputs.grafana.namespace && matches(inputs.grafana.selector, x.labels))) {
    if (config.grafana?.oidc) flows.push({ from: g, to: publicPeer, port: 443, protocol: "TCP", why: "Grafana OIDC provider" });
  }
  for (const g of groups.filter((x) => x.mimir.some((t) => t.split(",").includes("alertmanager")))) {
    flows.push({ from: g, to: publicPeer, port: 443, protocol: "TCP", why: "Alertmanager receivers (PagerDuty, webhooks)" });
    const smarthost = config.alerting.smtp?.smarthost;
    if (smarthost) flows.push({ from: g, to: publicPeer, port: Number(smarthost.split(":").pop()), protocol: "TCP", why: "Alertmanager SMTP smarthost" });
  }
  return { groups, flows, inbound, problems: [...new Set(problems)] };
}

function labelsOf(objects: readonly RenderedObject[], service: ServiceInfo): Labels {
  const o = objects.find((x) => x.kind === "Service" && x.metadata.name === service.name && (x.metadata.namespace ?? service.namespace) === service.namespace);
  return { ...(o?.metadata.labels ?? {}) };
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

function peerJson(peer: Peer, policyNamespace: string): k8s.NetworkPolicyPeer {
  if (peer.kind === "cidr") return { ipBlock: { cidr: peer.cidr, except: peer.except ? [...peer.except] : undefined } };
  if (peer.kind === "namespace") {
    return {
      namespaceSelector: { matchLabels: peer.namespaceLabels ? { ...peer.namespaceLabels } : { [NAMESPACE_NAME_LABEL]: peer.namespace } },
      podSelector: peer.podLabels ? { matchLabels: { ...peer.podLabels } } : undefined,
    };
  }
  return {
    podSelector: { matchLabels: { ...peer.group.selector } },
    namespaceSelector: peer.group.namespace === policyNamespace ? undefined : { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.group.namespace } },
  };
}

function rules(entries: ReadonlyArray<{ peer: Peer; port: number; protocol: Protocol }>, policyNamespace: string) {
  const byPeer = new Map<string, { peer: k8s.NetworkPolicyPeer; ports: Set<string> }>();
  for (const { peer, port, protocol } of entries) {
    const json = peerJson(peer, policyNamespace);
    const key = JSON.stringify(json);
    const entry = byPeer.get(key) ?? { peer: json, ports: new Set<string>() };
    entry.ports.add(`${protocol}/${String(port).padStart(5, "0")}`);
    byPeer.set(key, entry);
  }
  // Peers allowed the same ports share one rule.
  const byPorts = new Map<string, { key: string; peers: k8s.NetworkPolicyPeer[]; ports: string[] }>();
  for (const [key, { peer, ports }] of [...byPeer.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const sorted = [...ports].sort();
    const portKey = sorted.join(",");
    const entry = byPorts.get(portKey) ?? { key, peers: [], ports: sorted };
    entry.peers.push(peer);
    byPorts.set(portKey, entry);
  }
  return [...byPorts.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ peers, ports }) => ({
      peers,
      ports: ports.map((p): k8s.NetworkPolicyPort => ({ protocol: p.split("/")[0], port: k8s.IntOrString.fromNumber(Number(p.split("/")[1])) })),
    }));
}

/** Creates the default-deny policy of every owned namespace and one allow policy per pod group. */
export function createNetworkPolicies(chart: Chart, derived: ReturnType<typeof deriveFlows>, namespaces: readonly string[], instance: string): void {
  const labels = { "app.kubernetes.io/name": "network-policy", "app.kubernetes.io/instance": instance, "app.kubernetes.io/managed-by": MANAGED_BY };
  for (const namespace of namespaces) {
    new k8s.KubeNetworkPolicy(chart, `${namespace}-${DEFAULT_DENY}`, {
      metadata: { name: DEFAULT_DENY, namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        egress: [
          {
            to: [peerJson({ kind: "namespace", ...KUBE_DNS_PEER }, namespace)],
            ports: [
              { protocol: "UDP", port: k8s.IntOrString.fromNumber(53) },
              { protocol: "TCP", port: k8s.IntOrString.fromNumber(53) },
            ],
          },
        ],
      },
    });
  }
  for (const group of derived.groups) {
    if (group.hostNetwork || !namespaces.includes(group.namespace)) continue; // NetworkPolicies do not apply to host-network pods
    const ingress = [
      ...derived.flows.filter((f) => f.to.kind === "group" && f.to.group === group).map((f) => ({ peer: { kind: "group", group: f.from } as Peer, port: f.port, protocol: f.protocol })),
      ...derived.inbound.filter((f) => f.to === group).map((f) => ({ peer: f.from, port: f.port, protocol: "TCP" as Protocol })),
    ];
    const egress = derived.flows.filter((f) => f.from === group).map((f) => ({ peer: f.to, port: f.port, protocol: f.protocol }));
    if (ingress.length === 0 && egress.length === 0) continue;
    new k8s.KubeNetworkPolicy(chart, `${group.key}-network-policy`, {
      metadata: { name: group.name, namespace: group.namespace, labels },
      spec: {
        podSelector: { matchLabels: { ...group.selector } },
        policyTypes: ["Ingress", "Egress"],
        ingress: rules(ingress, group.namespace).map((r) => ({ from: r.peers, ports: r.ports })),
        egress: rules(egress, group.namespace).map((r) => ({ to: r.peers, ports: r.ports })),
      },
    });
  }
}
