/**
 * The flow graph of the rendered NetworkPolicies: which (source pod → destination pod:port) they allow,
 * checked against the flows the platform needs, derived here independently of the generator from the
 * rendered configs (every mimir.yaml address, every gateway nginx upstream, every monitor's scrape, the
 * remote-write and datasource URLs, the load balancers), and against anything else being open.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { load } from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { podGroups, PRIVATE_RANGES, type PodGroup } from "../src/security/network-policies.js";
import type { RenderedObject } from "../src/security/objects.js";
import { synthesizeAll, type SynthOutcome } from "../src/synth/pipeline.js";
import { parseAddress } from "../src/validate/invariants.js";
import { formatProblem } from "../src/validate/problem.js";
import { checkSecurity } from "../src/validate/security.js";
import { REPO_ROOT } from "./helpers/cli.js";
import { envObjects } from "./helpers/env-objects.js";

type Obj = Record<string, any>;
type Labels = Record<string, string>;
const CLOUD = ["dev", "prod", "dr"] as const;
const NS_LABEL = "kubernetes.io/metadata.name";

let outcome: SynthOutcome;
beforeAll(() => {
  outcome = synthesizeAll({ root: REPO_ROOT, envs: ["local", ...CLOUD] });
});
const objects = (env: string) => structuredClone(envObjects(outcome, env)) as unknown as RenderedObject[];
const outputs = (env: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, "overlays", env, "terraform-outputs.json"), "utf8"));

const matchesSelector = (selector: Obj | undefined, labels: Labels): boolean => {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === "In" && !e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !(e.key in labels)) return false;
  }
  return true;
};

/** The allowed-flow evaluator over one environment's rendered policies. */
class FlowGraph {
  readonly policies: Obj[];
  readonly namespaceLabels = new Map<string, Labels>();
  constructor(readonly all: RenderedObject[]) {
    this.policies = all.filter((o) => o.kind === "NetworkPolicy");
    for (const ns of all.filter((o) => o.kind === "Namespace")) this.namespaceLabels.set(ns.metadata.name, { ...(ns.metadata.labels ?? {}), [NS_LABEL]: ns.metadata.name });
  }
  private peerMatches(peer: Obj, policyNs: string, pod: PodGroup): boolean {
    if (peer.ipBlock) return false; // pod-to-pod flows are judged by selectors; ipBlocks are checked separately
    const nsLabels = this.namespaceLabels.get(pod.namespace) ?? { [NS_LABEL]: pod.namespace };
    if (peer.namespaceSelector ? !matchesSelector(peer.namespaceSelector, nsLabels) : pod.namespace !== policyNs) return false;
    return matchesSelector(peer.podSelector, pod.labels);
  }
  private portMatches(ports: Obj[] | undefined, port: number, target: PodGroup): boolean {
    if (!ports) return true;
    return ports.some((p) => p.port === port || (typeof p.port === "string" && target.ports.some((q) => q.name === p.port && q.port === port)));
  }
  private side(pod: PodGroup, type: "Ingress" | "Egress", other: PodGroup, port: number, target: PodGroup): boolean {
    const selecting = this.policies.filter((p) => p.metadata.namespace === pod.namespace && matchesSelector(p.spec.podSelector, pod.labels) && p.spec.policyTypes.includes(type));
    if (selecting.length === 0) return true;
    return selecting.some((p) =>
      (p.spec[type === "Ingress" ? "ingress" : "egress"] ?? []).some(
        (rule: Obj) => (rule[type === "Ingress" ? "from" : "to"] ?? [{}]).some((peer: Obj) => this.peerMatches(peer, p.metadata.namespace, other)) && this.portMatches(rule.ports, port, target),
      ),
    );
  }
  /** Egress from a pod to an address outside the cluster's pods (ipBlock rules). */
  allowsAddress(from: PodGroup, ip: string, port: number): boolean {
    const selecting = this.policies.filter((p) => p.metadata.namespace === from.namespace && matchesSelector(p.spec.podSelector, from.labels) && p.spec.policyTypes.includes("Egress"));
    if (selecting.length === 0) return true;
    return selecting.some((p) =>
      (p.spec.egress ?? []).some(
        (rule: Obj) =>
          (rule.to ?? []).some((peer: Obj) => peer.ipBlock && inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => inCidr(ip, e))) &&
          (rule.ports ?? []).some((q: Obj) => q.port === port),
      ),
    );
  }
  allows(from: PodGroup, to: PodGroup, port: number): boolean {
    return this.side(from, "Egress", to, port, to) && this.side(to, "Ingress", from, port, to);
  }
}

/** A workload's pod template, whatever runs it: spec.template (Deployment, StatefulSet, DaemonSet, Job) or a CronJob's jobTemplate. */
const podTemplateOf = (o: Obj): Obj | undefined => {
  const template = o.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
  return Array.isArray(template?.spec?.containers) ? template : undefined;
};

const ipv4 = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const inCidr = (ip: string, cidr: string) => {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base!) / size);
};

interface Need {
  readonly from: PodGroup;
  readonly to: PodGroup;
  readonly port: number;
  readonly why: string;
}

/** Flows the platform needs, from the rendered configs. */
function neededFlows(all: RenderedObject[], groups: PodGroup[]): Need[] {
  const needs: Need[] = [];
  const services = all.filter((o) => o.kind === "Service" && o.spec?.selector);
  const podsOf = (service: RenderedObject) => groups.filter((g) => g.namespace === service.metadata.namespace && Object.entries(service.spec.selector).every(([k, v]) => g.labels[k] === v));
  const resolve = (clients: PodGroup[], address: string, why: string) => {
    const parsed = parseAddress(address);
    if ("error" in parsed) return;
    const [name, namespace] = parsed.host.split(".");
    const service = services.find((s) => s.metadata.name === name && s.metadata.namespace === namespace);
    if (!service) return;
    const sp = (service.spec.ports as Obj[]).find((p) => (parsed.srvPortName ? p.name === parsed.srvPortName : p.port === parsed.port));
    for (const target of podsOf(service)) {
      const targetPort = sp ? (sp.targetPort ?? sp.port) : parsed.port;
      const port = typeof targetPort === "number" ? targetPort : target.ports.find((p) => p.name === targetPort)?.port;
      if (port !== undefined && !target.hostNetwork) for (const from of clients) needs.push({ from, to: target, port, why: `${why}: ${address}` });
    }
  };
  const podSpec = (g: PodGroup): Obj | undefined => all.map((o) => (o.metadata.name === g.name ? podTemplateOf(o) : undefined)).find(Boolean)?.spec;
  const mounting = (configMap: string) => groups.filter((g) => (podSpec(g)?.volumes ?? []).some((v: Obj) => v.configMap?.name === configMap));
  const walk = (value: unknown, visit: (s: string) => void): void => {
    if (typeof value === "string") visit(value);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, visit));
    else if (value && typeof value === "object") Object.values(value).forEach((v) => walk(v, visit));
  };
  for (const cm of all.filter((o) => o.kind === "ConfigMap")) {
    const mimir = cm.data?.["mimir.yaml"];
    if (mimir) walk(load(mimir), (s) => s.includes(".svc") && s.split(",").forEach((a) => resolve(mounting(cm.metadata.name), a.trim(), "mimir.yaml")));
    const nginx = cm.data?.["nginx.conf"];
    if (nginx) {
      for (const m of nginx.matchAll(/(?:set\s+\$upstream_\w+|server)\s+([^\s;]+\.svc[^\s;]*)\s*;/g)) resolve(mounting(cm.metadata.name), m[1]!, "gateway upstream");
    }
  }
  const scrapers = groups.filter((g) => g.kind === "Prometheus" || g.kind === "PrometheusAgent");
  for (const scraper of scrapers) {
    const cr = all.find((o) => o.kind === scraper.kind && scraper.name === `prometheus-${o.metadata.name}`)!;
    for (const rw of cr.spec.remoteWrite ?? []) resolve([scraper], rw.url, "remote write");
  }
  for (const probe of all.filter((o) => o.kind === "Probe")) resolve(scrapers, probe.spec.prober.url, `Probe/${probe.metadata.name}`);
  for (const monitor of all.filter((o) => o.kind === "PodMonitor" || o.kind === "ServiceMonitor")) {
    const namespaces: string[] = monitor.spec.namespaceSelector?.matchNames ?? [monitor.metadata.namespace];
    if (monitor.kind === "PodMonitor") {
      for (const target of groups.filter((g) => namespaces.includes(g.namespace) && matchesSelector(monitor.spec.selector, g.labels) && !g.hostNetwork)) {
        for (const ep of monitor.spec.podMetricsEndpoints) {
          const port = target.ports.find((p) => p.name === ep.port)?.port ?? ep.portNumber;
          if (port === undefined) continue; // the pod has no such port (e.g. a Job's): nothing to scrape
          for (const from of scrapers) needs.push({ from, to: target, port, why: `${monitor.kind}/${monitor.metadata.name}` });
        }
      }
    } else {
      for (const service of services.filter((s) => namespaces.includes(s.metadata.namespace!) && matchesSelector(monitor.spec.selector, s.metadata.labels ?? {}))) {
        for (const ep of monitor.spec.endpoints) {
          const sp = (service.spec.ports as Obj[]).find((p) => p.name === ep.port);
          if (sp) resolve(scrapers, `${service.metadata.name}.${service.metadata.namespace}.svc:${sp.port}`, `${monitor.kind}/${monitor.metadata.name}`);
        }
      }
    }
  }
  // URLs of Services in the configs a pod mounts (Grafana datasources, OTel Collector exporters), and in its
  // containers' environment and arguments (the backup CronJob's Alertmanager API).
  const urls = (text: string) => [...text.matchAll(/https?:\/\/([a-z0-9.-]+\.svc\.cluster\.local:\d+)/g)].map((m) => m[1]!);
  for (const group of groups) {
    const spec = podSpec(group);
    const mounted = new Set<string>((spec?.volumes ?? []).flatMap((v: Obj) => [v.configMap?.name, v.secret?.secretName]).filter(Boolean));
    for (const o of all.filter((x) => (x.kind === "ConfigMap" && mounted.has(x.metadata.name)) || (x.kind === "ExternalSecret" && mounted.has(x.spec.target?.name ?? x.metadata.name)))) {
      for (const url of urls(JSON.stringify(o.kind === "ConfigMap" ? o.data : o.spec.target))) resolve([group], url, "URL in a mounted config");
    }
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      for (const url of urls(JSON.stringify({ env: c.env, args: c.args, command: c.command }))) resolve([group], url, "URL in a container's environment");
    }
  }
  return needs;
}

describe.each(CLOUD)("NetworkPolicies of %s", (env) => {
  let all: RenderedObject[];
  let groups: PodGroup[];
  let graph: FlowGraph;
  beforeAll(() => {
    all = objects(env);
    groups = podGroups(all, "mimir");
    graph = new FlowGraph(all);
  });

  it("every namespace we create has a default-deny for ingress and egress that allows only DNS", () => {
    const namespaces = all.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
    expect(namespaces.length).toBeGreaterThan(0);
    for (const namespace of namespaces) {
      const deny = all.find((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === namespace && o.metadata.name === "default-deny")!;
      expect(deny.spec).toEqual({
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { [NS_LABEL]: "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
          },
        ],
      });
    }
  });

  it("allows every flow the platform needs (mimir.yaml addresses, gateway upstreams, scrapes, remote write, datasources)", () => {
    const needs = neededFlows(all, groups);
    const kinds = new Set(needs.map((n) => n.why.split(":")[0]!.split("/")[0]));
    const monitored = all.some((o) => o.kind === "PodMonitor");
    expect([...kinds]).toEqual(expect.arrayContaining(["mimir.yaml", "gateway upstream", ...(monitored ? ["PodMonitor", "remote write"] : []), ...(all.some((o) => o.kind === "Probe") ? ["Probe"] : [])]));
    const blocked = needs.filter((n) => !graph.allows(n.from, n.to, n.port)).map((n) => `${n.from.name} → ${n.to.name}:${n.port} (${n.why})`);
    expect(blocked).toEqual([]);
  });

  it("every workload's pods (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs) are a pod group with a policy of their own", () => {
    const templates = all.flatMap((o) => {
      const template = podTemplateOf(o);
      return template && !template.spec.hostNetwork ? [{ o, template }] : [];
    });
    const kinds = new Set(templates.map((t) => t.o.kind));
    // dev and prod run the backup CronJob; read-only dr has no state to back up.
    expect(kinds.has("CronJob")).toBe(env !== "dr");
    for (const { o, template } of templates) {
      const at = `${o.kind}/${o.metadata.name}`;
      expect(groups.filter((g) => g.kind === o.kind && g.name === o.metadata.name).length, at).toBe(1);
      const own = graph.policies.filter((p) => p.metadata.name !== "default-deny" && p.metadata.namespace === o.metadata.namespace && matchesSelector(p.spec.podSelector, template.metadata?.labels ?? {}));
      expect(own.map((p) => p.metadata.name), at).toEqual([o.metadata.name]);
    }
  });

  it("the backup CronJob reaches the Alertmanager API, Grafana's database in the VPC and AWS on 443, nothing more", () => {
    const backup = groups.find((g) => g.kind === "CronJob" && g.name === "backup");
    if (env === "dr") return expect(backup).toBeUndefined();
    expect(backup).toBeDefined();
    const needs = neededFlows(all, groups).filter((n) => n.from === backup);
    // Derived from its environment (ALERTMANAGER_URL), not listed here.
    expect([...new Set(needs.map((n) => `${n.to.name}:${n.port}`))]).toEqual(["alertmanager:8080"]);
    for (const n of needs) expect(graph.allows(n.from, n.to, n.port), n.why).toBe(true);
    const [host, port] = (outputs(env).grafana_database_endpoint.value as string).split(":");
    const cronJob = all.find((o) => o.kind === "CronJob" && o.metadata.name === "backup")!;
    expect(JSON.stringify(podTemplateOf(cronJob)!.spec)).toContain(host);
    const vpc = (outputs(env).vpc_cidr.value as string).split("/")[0]!;
    expect(graph.allowsAddress(backup!, vpc, Number(port ?? 5432)), "Grafana's database").toBe(true);
    expect(graph.allowsAddress(backup!, "52.218.0.1", 443), "S3 (public AWS endpoint)").toBe(true);
    expect(graph.allowsAddress(backup!, "52.218.0.1", 80)).toBe(false);
    expect(graph.allowsAddress(backup!, "52.218.0.1", 5432)).toBe(false);
    // Nothing reaches the backup's pods; other pods' egress is judged by the "nothing else" test below.
    expect(graph.policies.find((p) => p.metadata.name === "backup")!.spec.ingress).toEqual([]);
    // A pod group the derivation ignored would have no policy beyond the default-deny: the flows above fail.
    const withoutOwn = new FlowGraph(all.filter((o) => !(o.kind === "NetworkPolicy" && o.metadata.name === "backup")));
    expect(needs.some((n) => withoutOwn.allows(n.from, n.to, n.port))).toBe(false);
    expect(withoutOwn.allowsAddress(backup!, vpc, Number(port ?? 5432))).toBe(false);
  });

  it("with mTLS the gateway's clients reach its TLS port, never its plaintext one, and each has a client certificate", () => {
    const service = all.find((o) => o.kind === "Service" && o.metadata.name === "gateway")!;
    const gateway = groups.find((g) => g.name === "gateway")!;
    const containerPort = (servicePort: string) => {
      const sp = (service.spec.ports as Obj[]).find((p) => p.name === servicePort)!;
      return gateway.ports.find((p) => p.name === sp.targetPort || p.port === sp.targetPort)!.port;
    };
    const tls = containerPort("https");
    const plain = containerPort("http");
    const needs = neededFlows(all, groups).filter((n) => n.to === gateway);
    const clients = [...new Set(needs.filter((n) => n.port === tls).map((n) => n.from.name))].sort();
    expect(clients.length).toBeGreaterThan(0);
    expect(needs.filter((n) => n.port === plain).map((n) => `${n.from.name} (${n.why})`)).toEqual([]);
    for (const g of groups) expect(graph.allows(g, gateway, plain), `${g.name} → gateway:${plain}`).toBe(false);
    const certificates = all.filter((o) => o.kind === "Certificate" && o.spec.usages.includes("client auth")).map((o) => o.spec.commonName).sort();
    expect(certificates).toEqual(clients);
  });

  it("allows nothing else between pods: every allowed pod → pod:port is a needed flow, Mimir gRPC, or an OTLP receiver", () => {
    const needed = new Set(neededFlows(all, groups).map((n) => `${n.from.key}|${n.to.key}|${n.port}`));
    const mimir = (g: PodGroup) => g.mimir.length > 0;
    const otlp = new Set(all.filter((o) => o.kind === "Service").flatMap((s) => (s.spec.ports as Obj[]).filter((p) => String(p.name).startsWith("otlp-")).map((p) => p.targetPort ?? p.port)));
    const extra: string[] = [];
    for (const from of groups.filter((g) => !g.hostNetwork)) {
      for (const to of groups.filter((g) => !g.hostNetwork)) {
        for (const { name, port } of to.ports) {
          if (!graph.allows(from, to, port) || needed.has(`${from.key}|${to.key}|${port}`)) continue;
          if (mimir(from) && mimir(to) && name === "grpc") continue;
          if (otlp.has(name) || otlp.has(port)) continue;
          extra.push(`${from.name} → ${to.name}:${port}`);
        }
      }
    }
    expect(extra).toEqual([]);
  });

  it("no rule opens all pods, all namespaces or all ports; address blocks only where no pod listens", () => {
    const podPorts = new Set(groups.filter((g) => !g.hostNetwork).flatMap((g) => g.ports.map((p) => p.port)));
    const lb: string[] = outputs(env).load_balancer_subnet_cidrs.value;
    for (const policy of graph.policies) {
      const at = `${policy.metadata.namespace}/${policy.metadata.name}`;
      if (policy.metadata.name !== "default-deny") expect(Object.keys(policy.spec.podSelector.matchLabels ?? {}).length, at).toBeGreaterThan(0);
      for (const [direction, peersKey] of [["ingress", "from"], ["egress", "to"]] as const) {
        for (const rule of policy.spec[direction] ?? []) {
          expect(rule.ports?.length, `${at} ${direction}: a rule without ports opens every port`).toBeGreaterThan(0);
          expect(rule[peersKey]?.length, `${at} ${direction}: a rule without peers opens everything`).toBeGreaterThan(0);
          for (const peer of rule[peersKey]) {
            if (peer.ipBlock) {
              if (peer.ipBlock.cidr === "0.0.0.0/0") expect(peer.ipBlock.except, at).toEqual([...PRIVATE_RANGES]);
              if (direction === "ingress") expect([...lb, outputs(env).vpc_cidr.value], at).toContain(peer.ipBlock.cidr);
              if (direction === "egress") for (const p of rule.ports) expect(podPorts.has(p.port), `${at}: egress to ${peer.ipBlock.cidr}:${p.port} would reach pods listening there`).toBe(false);
              continue;
            }
            expect(peer.podSelector === undefined || Object.keys(peer.podSelector.matchLabels ?? {}).length > 0 || peer.namespaceSelector, `${at}: a peer selecting every pod`).toBeTruthy();
            // Every namespace only together with a pod label (opted-in pods, e.g. annotation scraping).
            if (peer.namespaceSelector) {
              const narrowed = Object.keys(peer.namespaceSelector.matchLabels ?? {}).length > 0 || Object.keys(peer.podSelector?.matchLabels ?? {}).length > 0;
              expect(narrowed, `${at}: a peer selecting every pod of every namespace`).toBe(true);
            }
          }
        }
      }
    }
  });

  it("clients reach the gateway and Grafana only from the load balancer subnets", () => {
    const lb: string[] = outputs(env).load_balancer_subnet_cidrs.value;
    for (const name of ["gateway", "grafana"]) {
      const policy = graph.policies.find((p) => p.metadata.name === name);
      if (!policy) continue;
      const blocks = (policy.spec.ingress as Obj[]).flatMap((r) => r.from.filter((p: Obj) => p.ipBlock).map((p: Obj) => p.ipBlock.cidr));
      expect(blocks.sort(), name).toEqual([...lb].sort());
    }
  });

  it("fails when a needed flow is removed (the graph check can fail)", () => {
    const gateway = groups.find((g) => g.name === "gateway")!;
    const policy = graph.policies.find((p) => p.metadata.name === "gateway")!;
    policy.spec.egress = [];
    const needs = neededFlows(all, groups).filter((n) => n.from === gateway);
    expect(needs.length).toBeGreaterThan(0);
    expect(needs.some((n) => !graph.allows(n.from, n.to, n.port))).toBe(true);
  });
});

describe("the flow-graph checks can fail", () => {
  it("an extra allow (gateway → ingester gRPC) is reported as open beyond what is needed", () => {
    const all = objects("prod");
    const groups = podGroups(all, "mimir");
    const graph = new FlowGraph(all);
    const gateway = groups.find((g) => g.name === "gateway")!;
    const ingester = groups.find((g) => g.name === "ingester-zone-a")!;
    expect(graph.allows(gateway, ingester, 9095)).toBe(false);
    graph.policies.find((p) => p.metadata.name === "gateway")!.spec.egress.push({ to: [{ podSelector: { matchLabels: ingester.selector } }], ports: [{ protocol: "TCP", port: 9095 }] });
    graph.policies.find((p) => p.metadata.name === "ingester-zone-a")!.spec.ingress.push({ from: [{ podSelector: { matchLabels: gateway.selector } }], ports: [{ protocol: "TCP", port: 9095 }] });
    expect(graph.allows(gateway, ingester, 9095)).toBe(true);
    const needed = neededFlows(all, groups).some((n) => n.from === gateway && n.to === ingester);
    expect(needed).toBe(false);
  });
});

describe("validation chain", () => {
  it("refuses a namespace without default-deny, a rule without ports or peers, an everything peer, and 0.0.0.0/0 with the pods in it", () => {
    const all = objects("prod") as Obj[];
    const deny = all.findIndex((o) => o.kind === "NetworkPolicy" && o.metadata.name === "default-deny" && o.metadata.namespace === "mimir");
    all.splice(deny, 1);
    const gateway = all.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "gateway")!;
    gateway.spec.egress.push({ to: [{ namespaceSelector: {} }] }, { ports: [{ port: 443 }] }, { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443 }] });
    const n = gateway.spec.egress.length;
    expect(checkSecurity([{ file: "f", objects: all }]).map((p) => formatProblem({ ...p, file: "" }))).toEqual([
      "Namespace/mimir: has no default-deny NetworkPolicy (every pod, Ingress and Egress, no ingress rule), while this environment uses NetworkPolicies",
      `NetworkPolicy/gateway: spec.egress[${n - 3}]: allows every port: list the ports`,
      `NetworkPolicy/gateway: spec.egress[${n - 3}]: has a peer selecting every pod of every namespace`,
      `NetworkPolicy/gateway: spec.egress[${n - 2}]: allows every destination: list the peers`,
      `NetworkPolicy/gateway: spec.egress[${n - 1}]: allows 0.0.0.0/0 without excepting the private ranges (which hold the pods)`,
    ]);
  });
});

describe("local", () => {
  it("has no NetworkPolicies (a kind cluster's CNI usually ignores them): marked in docs/operations.md", () => {
    expect(envObjects(outcome, "local").filter((o) => o.kind === "NetworkPolicy")).toEqual([]);
  });
});
