/**
 * Behavioural invariants over the objects of ONE environment: checks that the objects fit together the way
 * the cluster will use them, which no per-object schema can see.
 *
 * 1. Headless where needed: a StatefulSet's governing Service (spec.serviceName) exists and is headless, and
 *    every Service looked up per pod (dns+, dnssrv+, dnssrvnoa+, or a Mimir field documented to resolve to
 *    every instance) is headless. A ClusterIP Service resolves to one virtual IP, so clients that shard or
 *    fan out over pods silently talk to one random pod per connection.
 * 2. Addresses resolve: every address in mimir.yaml / runtime.yaml (schedulers, caches, memberlist seeds,
 *    Alertmanager URLs, KV stores) names a Service of this environment with that port (or, for SRV names,
 *    that port name); where a field is served by one Mimir component, the Service's pods run it.
 * 3. Gateway upstreams resolve: the same for every upstream the nginx.conf in a ConfigMap proxies to.
 * 4. Selectors select pods: Services, PodDisruptionBudgets (also rollout-operator's zone-aware ones),
 *    PodMonitors and ServiceMonitors select something in this environment, and the ports they name exist.
 * 5. HPAs target a workload of this environment that does not also fix spec.replicas (GitOps would reset
 *    the HPA's choice on every sync).
 *
 * Everything is driven by object contents (selectors, serviceName, addresses, -target flags); no component
 * name is hard-coded. The objects are indexed once, and each embedded YAML text is parsed at most once.
 */
import { isIP } from "node:net";
import { load } from "js-yaml";
import { isMimirImage } from "./mimir-flags.js";
import { joinPath, type Problem } from "./problem.js";

/** One file of an environment (structurally the same as ManifestFile). */
export interface InvariantFile {
  readonly file: string;
  readonly objects: readonly unknown[];
}

export interface InvariantOptions {
  /**
   * Already-parsed YAML texts (text → document), so a ConfigMap's mimir.yaml that the key checks parsed is
   * not parsed again. Texts missing here are parsed (once) on demand.
   */
  readonly parsedYaml?: ReadonlyMap<string, unknown>;
}

type Json = Record<string, unknown>;
type Labels = Readonly<Record<string, string>>;

/** One object of the environment with the fields every check needs. */
export interface Entry {
  readonly file: string;
  readonly obj: Json;
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** "Kind/name", as in Problem.object */
  readonly ref: string;
}

export interface ServicePortInfo {
  readonly index: number;
  readonly name: string | undefined;
  readonly port: number;
  /** Container port name or number; defaults to `port` as in Kubernetes. */
  readonly targetPort: string | number;
}

export interface ServiceInfo {
  readonly entry: Entry;
  readonly headless: boolean;
  readonly externalName: boolean;
  readonly ports: readonly ServicePortInfo[];
  /** undefined when the Service has no (or an empty) selector: its endpoints are managed elsewhere */
  readonly selector: Labels | undefined;
  readonly labels: Labels;
}

export interface ContainerPortInfo {
  readonly name: string | undefined;
  readonly containerPort: number;
}

/** A pod template (or bare Pod) and what the checks need from it. */
export interface PodTemplate {
  readonly entry: Entry;
  readonly labels: Labels;
  readonly ports: readonly ContainerPortInfo[];
  /**
   * The -target values of its Mimir containers, one entry per Mimir container (so a pod with no Mimir
   * container has none); `all` when a Mimir container sets no -target, as Mimir defaults to it.
   */
  readonly mimirTargets: readonly string[];
}

/** The environment, indexed once. */
export interface EnvIndex {
  readonly entries: readonly Entry[];
  /** `${namespace}/${name}` → Service */
  readonly services: ReadonlyMap<string, ServiceInfo>;
  /** namespace → pod templates */
  readonly templates: ReadonlyMap<string, readonly PodTemplate[]>;
  /** `${kind}|${namespace}|${name}` → objects (several only when groups differ) */
  readonly byKindName: ReadonlyMap<string, readonly Entry[]>;
  /** Namespaces the environment puts objects in. */
  readonly namespaces: ReadonlySet<string>;
  /** Namespaces with at least one Service / pod template (whether a monitor's targets live in this env). */
  readonly serviceNamespaces: ReadonlySet<string>;
}

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function stringMap(v: unknown): Labels {
  if (!isObject(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === "string") out[k] = val;
  return out;
}

function formatLabels(labels: Labels): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(", ");
}

function listRefs(entries: readonly Entry[]): string {
  return [...new Set(entries.map((e) => e.ref))].join(", ");
}

// ---------------------------------------------------------------------------------------------------------
// Indexing

/**
 * The namespace objects without metadata.namespace end up in: kustomize's `namespace:` if a Kustomization
 * sets one, else the only namespace the namespaced objects use (synth sets one platform namespace), else "".
 */
function defaultNamespace(objects: readonly Json[]): string {
  for (const o of objects) if (o.kind === "Kustomization" && typeof o.namespace === "string") return o.namespace;
  const seen = new Set<string>();
  for (const o of objects) {
    const ns = isObject(o.metadata) ? str(o.metadata.namespace) : undefined;
    if (ns) seen.add(ns);
  }
  return seen.size === 1 ? [...seen][0]! : "";
}

function containerPorts(containers: unknown): ContainerPortInfo[] {
  if (!Array.isArray(containers)) return [];
  const out: ContainerPortInfo[] = [];
  for (const c of containers) {
    if (!isObject(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (isObject(p) && typeof p.containerPort === "number") out.push({ name: str(p.name), containerPort: p.containerPort });
    }
  }
  return out;
}

/** The -target values of a Mimir container's args (`-target=a,b`, `--target a`); Mimir's default is all. */
function mimirTargetOf(args: unknown): string {
  if (!Array.isArray(args)) return "all";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== "string") continue;
    const m = /^--?target(?:=(.*))?$/.exec(arg);
    if (!m) continue;
    const value = m[1] ?? str(args[i + 1]);
    if (value !== undefined) return value;
  }
  return "all";
}

function podTemplateOf(entry: Entry): PodTemplate | undefined {
  const { obj } = entry;
  let template: unknown;
  if (entry.kind === "Pod" && entry.group === "") template = obj;
  else if (isObject(obj.spec) && isObject(obj.spec.template) && isObject(obj.spec.template.spec)) template = obj.spec.template;
  else if (isObject(obj.spec) && isObject(obj.spec.jobTemplate) && isObject(obj.spec.jobTemplate.spec)) template = obj.spec.jobTemplate.spec.template;
  if (!isObject(template) || !isObject(template.spec) || !Array.isArray(template.spec.containers)) return undefined;
  const spec = template.spec;
  // Init containers with restartPolicy Always are sidecars: they run (and serve their ports) alongside.
  const sidecars = Array.isArray(spec.initContainers) ? spec.initContainers.filter((c) => isObject(c) && c.restartPolicy === "Always") : [];
  const mimirTargets: string[] = [];
  for (const c of [...(spec.containers as unknown[]), ...sidecars]) {
    if (isObject(c) && isMimirImage(c.image)) mimirTargets.push(mimirTargetOf(c.args));
  }
  return {
    entry,
    labels: stringMap(isObject(template.metadata) ? template.metadata.labels : undefined),
    ports: [...containerPorts(spec.containers), ...containerPorts(sidecars)],
    mimirTargets,
  };
}

/**
 * Pods the Prometheus Operator will run for a Prometheus / PrometheusAgent object (their StatefulSets
 * are not in the output): the labels it sets (prometheus-operator makeSelectorLabels, shard 0, over
 * spec.podMetadata.labels) and its ports (`web` or spec.portName, 9090; config-reloader `reloader-web`, 8080).
 */
function operatorPodTemplateOf(entry: Entry): PodTemplate | undefined {
  if (entry.group !== "monitoring.coreos.com" || (entry.kind !== "Prometheus" && entry.kind !== "PrometheusAgent")) return undefined;
  const spec = isObject(entry.obj.spec) ? entry.obj.spec : {};
  const podLabels = stringMap(isObject(spec.podMetadata) ? spec.podMetadata.labels : undefined);
  const agent = entry.kind === "PrometheusAgent";
  return {
    entry,
    labels: {
      ...podLabels,
      "app.kubernetes.io/name": agent ? "prometheus-agent" : "prometheus",
      "app.kubernetes.io/managed-by": "prometheus-operator",
      "app.kubernetes.io/instance": entry.name,
      "operator.prometheus.io/name": entry.name,
      "operator.prometheus.io/shard": "0",
      ...(agent ? {} : { prometheus: entry.name }),
    },
    ports: [
      { name: str(spec.portName) ?? "web", containerPort: 9090 },
      { name: "reloader-web", containerPort: 8080 },
    ],
    mimirTargets: [],
  };
}

function serviceInfoOf(entry: Entry): ServiceInfo {
  const spec = isObject(entry.obj.spec) ? entry.obj.spec : {};
  const ports: ServicePortInfo[] = [];
  if (Array.isArray(spec.ports)) {
    spec.ports.forEach((p, index) => {
      if (!isObject(p) || typeof p.port !== "number") return;
      const target = typeof p.targetPort === "string" || typeof p.targetPort === "number" ? p.targetPort : p.port;
      ports.push({ index, name: str(p.name), port: p.port, targetPort: target });
    });
  }
  const selector = stringMap(spec.selector);
  return {
    entry,
    headless: spec.clusterIP === "None",
    externalName: spec.type === "ExternalName",
    ports,
    selector: Object.keys(selector).length > 0 ? selector : undefined,
    labels: stringMap(isObject(entry.obj.metadata) ? entry.obj.metadata.labels : undefined),
  };
}

export function indexEnvironment(files: ReadonlyArray<InvariantFile>): EnvIndex {
  const all: Array<{ file: string; obj: Json }> = [];
  for (const { file, objects } of files) for (const obj of objects) if (isObject(obj)) all.push({ file, obj });
  const fallbackNs = defaultNamespace(all.map((a) => a.obj));

  const entries: Entry[] = [];
  const services = new Map<string, ServiceInfo>();
  const templates = new Map<string, PodTemplate[]>();
  const byKindName = new Map<string, Entry[]>();
  const namespaces = new Set<string>();
  const serviceNamespaces = new Set<string>();
  for (const { file, obj } of all) {
    const apiVersion = str(obj.apiVersion);
    const kind = str(obj.kind);
    const metadata = isObject(obj.metadata) ? obj.metadata : {};
    const name = str(metadata.name);
    if (!apiVersion || !kind || !name) continue;
    const namespace = str(metadata.namespace) ?? fallbackNs;
    const entry: Entry = {
      file,
      obj,
      group: apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "",
      kind,
      name,
      namespace,
      ref: `${kind}/${name}`,
    };
    entries.push(entry);
    if (namespace) namespaces.add(namespace);
    const key = `${kind}|${namespace}|${name}`;
    const same = byKindName.get(key);
    if (same) same.push(entry);
    else byKindName.set(key, [entry]);
    if (kind === "Service" && entry.group === "") {
      services.set(`${namespace}/${name}`, serviceInfoOf(entry));
      serviceNamespaces.add(namespace);
      continue;
    }
    const template = podTemplateOf(entry) ?? operatorPodTemplateOf(entry);
    if (template) {
      const list = templates.get(namespace);
      if (list) list.push(template);
      else templates.set(namespace, [template]);
    }
  }
  return { entries, services, templates, byKindName, namespaces, serviceNamespaces };
}

// ---------------------------------------------------------------------------------------------------------
// Selectors

/** Kubernetes LabelSelector semantics (matchLabels AND matchExpressions); `{}` selects everything. */
export function matchesLabelSelector(selector: Json, labels: Labels): boolean {
  for (const [k, v] of Object.entries(stringMap(selector.matchLabels))) if (labels[k] !== v) return false;
  if (Array.isArray(selector.matchExpressions)) {
    for (const e of selector.matchExpressions) {
      if (!isObject(e) || typeof e.key !== "string") return false;
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      const values = Array.isArray(e.values) ? e.values : [];
      switch (e.operator) {
        case "In":
          if (!has || !values.includes(labels[e.key])) return false;
          break;
        case "NotIn":
          if (has && values.includes(labels[e.key])) return false;
          break;
        case "Exists":
          if (!has) return false;
          break;
        case "DoesNotExist":
          if (has) return false;
          break;
        default:
          return false;
      }
    }
  }
  return true;
}

function matchesEquality(selector: Labels, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

/** Human form of a LabelSelector for messages. */
export function describeLabelSelector(selector: Json): string {
  const parts = Object.entries(stringMap(selector.matchLabels)).map(([k, v]) => `${k}=${v}`);
  if (Array.isArray(selector.matchExpressions)) {
    for (const e of selector.matchExpressions) {
      if (!isObject(e)) continue;
      const values = Array.isArray(e.values) ? ` (${e.values.join(", ")})` : "";
      parts.push(`${String(e.key)} ${String(e.operator)}${values}`);
    }
  }
  return parts.length > 0 ? parts.join(", ") : "(everything)";
}

/** Memoizes which pod templates a Service selects (asked by several checks). */
class ServiceSelection {
  private readonly cache = new Map<ServiceInfo, readonly PodTemplate[]>();
  constructor(private readonly index: EnvIndex) {}

  of(service: ServiceInfo): readonly PodTemplate[] {
    let selected = this.cache.get(service);
    if (!selected) {
      const sel = service.selector;
      selected = sel ? (this.index.templates.get(service.entry.namespace) ?? []).filter((t) => matchesEquality(sel, t.labels)) : [];
      this.cache.set(service, selected);
    }
    return selected;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Addresses

/** How a client resolves an address. */
export type AddressLookup =
  /** plain host:port or URL: connects to whatever the name resolves to */
  | "plain"
  /** dskit `dns+`: every A record, one connection per address */
  | "dns"
  /** dskit `dnssrv+` / `dnssrvnoa+`: every SRV record (port from the record) */
  | "dnssrv"
  | "dnssrvnoa"
  /** gRPC `dns:///host:port`: client-side balancing over the A records */
  | "grpc-dns";

export interface ParsedAddress {
  readonly lookup: AddressLookup;
  /** Host name or IP, lower-cased, without a trailing dot (for SRV: the name after `_port._proto.`). */
  readonly host: string;
  /** Port number; undefined for SRV lookups, whose port comes from the record. */
  readonly port: number | undefined;
  /** For SRV lookups of Kubernetes names `_<port-name>._<proto>.<host>`: the port name. */
  readonly srvPortName: string | undefined;
}

/**
 * Parses the address forms Mimir and nginx use: `host:port`, `dns+host:port`, `dnssrv+_name._tcp.host`,
 * `dnssrvnoa+http://_name._tcp.host./path`, `dns:///host:port`, `http://host[:port]/path`. A missing port
 * falls back to `defaultPort`, then to the scheme's (80/443). Returns an explanation when unusable.
 */
export function parseAddress(text: string, defaultPort?: number): ParsedAddress | { readonly error: string } {
  let rest = text.trim();
  let lookup: AddressLookup = "plain";
  const prefix = /^(dns|dnssrv|dnssrvnoa)\+/.exec(rest);
  if (prefix) {
    lookup = prefix[1] as AddressLookup;
    rest = rest.slice(prefix[0].length);
  } else {
    const grpc = /^dns:\/\/[^/]*\//.exec(rest);
    if (grpc) {
      lookup = "grpc-dns";
      rest = rest.slice(grpc[0].length);
    }
  }
  let schemePort: number | undefined;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (scheme) {
    const s = scheme[1]!.toLowerCase();
    schemePort = s === "http" ? 80 : s === "https" ? 443 : undefined;
    rest = rest.slice(scheme[0].length);
  }
  const end = rest.search(/[/?#]/);
  if (end >= 0) rest = rest.slice(0, end);
  const at = rest.lastIndexOf("@");
  if (at >= 0) rest = rest.slice(at + 1);
  if (rest === "") return { error: "has no host" };

  let host = rest;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    host = bracket[1]!;
    port = bracket[2] !== undefined ? Number(bracket[2]) : undefined;
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon >= 0) {
      host = rest.slice(0, colon);
      const portText = rest.slice(colon + 1);
      if (!/^\d{1,5}$/.test(portText)) return { error: `has a port "${portText}" that is not a number` };
      port = Number(portText);
    }
  }
  host = host.toLowerCase().replace(/\.$/, "");

  if (lookup === "dnssrv" || lookup === "dnssrvnoa") {
    const srv = /^_([^.]+)\._(tcp|udp|sctp)\.(.+)$/.exec(host);
    if (!srv) return { error: `is an SRV lookup (${lookup}+), which needs a name of the form _<port-name>._tcp.<service>` };
    return { lookup, host: srv[3]!, port: undefined, srvPortName: srv[1]! };
  }
  port ??= defaultPort ?? schemePort;
  if (port === undefined) return { error: "has no port" };
  return { lookup, host, port, srvPortName: undefined };
}

/** The Service (and namespace) an in-cluster host name denotes, or undefined for IPs and external names. */
function serviceOfHost(host: string, referrerNs: string, namespaces: ReadonlySet<string>): { name: string; namespace: string } | undefined {
  if (isIP(host)) return undefined;
  const labels = host.split(".");
  // svc
  if (labels.length === 1) return { name: labels[0]!, namespace: referrerNs };
  // svc.ns.svc[.cluster-domain]
  if (labels.length >= 3 && labels[2] === "svc") return { name: labels[0]!, namespace: labels[1]! };
  // pod.svc.ns.svc[.cluster-domain] (a StatefulSet pod's own name)
  if (labels.length >= 4 && labels[3] === "svc") return { name: labels[1]!, namespace: labels[2]! };
  // svc.ns, only when ns is one of this environment's namespaces (otherwise it is an external name)
  if (labels.length === 2 && namespaces.has(labels[1]!)) return { name: labels[0]!, namespace: labels[1]! };
  return undefined;
}

/**
 * Mimir's target groups (pkg/mimir/modules.go): the user-visible components each one runs. Alertmanager is
 * not in `all`; `all` runs the query-scheduler since the 3.x line.
 */
const MIMIR_TARGET_GROUPS: Readonly<Record<string, readonly string[]>> = {
  all: ["query-frontend", "query-scheduler", "querier", "ingester", "distributor", "store-gateway", "ruler", "compactor"],
  read: ["query-frontend", "querier"],
  write: ["distributor", "ingester"],
  backend: ["query-scheduler", "ruler", "store-gateway", "compactor", "alertmanager", "overrides-exporter"],
};

/** Components a -target value (comma-separated, groups expanded) runs. */
function mimirComponents(target: string): Set<string> {
  const out = new Set<string>();
  for (const part of target.split(",").map((s) => s.trim()).filter(Boolean)) {
    for (const c of MIMIR_TARGET_GROUPS[part] ?? [part]) out.add(c);
  }
  return out;
}

/** Mimir components an address can be meant for, to recognize gateway variables like $upstream_query_frontend. */
const MIMIR_COMPONENTS: ReadonlySet<string> = new Set(Object.values(MIMIR_TARGET_GROUPS).flat());

/** Where one address was found, and what it promises about its Service. */
interface AddressUse {
  /** The object holding it (a ConfigMap or Secret). */
  readonly entry: Entry;
  /** Field path for the Problem, e.g. data["mimir.yaml"].frontend.scheduler_address */
  readonly path: string;
  /** Prefix of the message identifying the address when the path alone does not (list entries, nginx lines). */
  readonly label: string;
  readonly text: string;
  readonly defaultPort: number | undefined;
  /** The Mimir component that must run behind it, if any. */
  readonly serves: string | undefined;
  /** Why the client needs one DNS record per pod (regardless of the lookup prefix), if it does. */
  readonly everyInstance: string | undefined;
}

interface AddressRule {
  readonly split: "comma" | "list";
  readonly serves?: string;
  readonly everyInstance?: string;
  readonly defaultPort?: (doc: Json) => number | undefined;
}

/** Which Mimir config fields hold addresses, by their key path (runtime overrides included). */
function addressRule(segs: readonly string[]): AddressRule | undefined {
  const last = segs[segs.length - 1];
  const parent = segs[segs.length - 2];
  const joined = segs.join(".");
  if (last === "addresses" && parent === "memcached") return { split: "comma" };
  if (joined === "frontend.scheduler_address" || joined === "frontend_worker.scheduler_address") {
    return { split: "comma", serves: "query-scheduler", everyInstance: "Mimir connects to every query-scheduler the name resolves to" };
  }
  if (joined === "frontend_worker.frontend_address") {
    return { split: "comma", serves: "query-frontend", everyInstance: "Mimir connects to every query-frontend the name resolves to" };
  }
  if (joined === "ruler.query_frontend.address") return { split: "comma", serves: "query-frontend" };
  if (last === "alertmanager_url" && (parent === "ruler_alertmanager_client_config" || joined === "ruler.alertmanager_url")) {
    return { split: "comma", serves: "alertmanager" };
  }
  if (joined === "memberlist.join_members") {
    return {
      split: "list",
      defaultPort: (doc) => {
        const m = isObject(doc.memberlist) ? doc.memberlist : {};
        return typeof m.bind_port === "number" ? m.bind_port : 7946;
      },
    };
  }
  if (segs.includes("kvstore") && ((parent === "consul" && last === "host") || (parent === "etcd" && last === "endpoints"))) {
    return { split: parent === "etcd" ? "list" : "comma" };
  }
  return undefined;
}

/** Every address in a parsed mimir.yaml / runtime.yaml, with its field path under `base`. */
function mimirAddresses(doc: unknown, entry: Entry, base: string): AddressUse[] {
  const out: AddressUse[] = [];
  if (!isObject(doc)) return out;
  const walk = (node: unknown, segs: string[], path: string): void => {
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const childSegs = [...segs, key];
      const childPath = joinPath(path, key);
      const rule = addressRule(childSegs);
      if (!rule) {
        walk(value, childSegs, childPath);
        continue;
      }
      const items: Array<{ text: string; path: string }> = [];
      if (typeof value === "string") {
        for (const t of value.split(",")) if (t.trim()) items.push({ text: t.trim(), path: childPath });
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (typeof v === "string" && v.trim()) items.push({ text: v.trim(), path: joinPath(childPath, i) });
        });
      }
      const several = typeof value === "string" && items.length > 1;
      for (const item of items) {
        out.push({
          entry,
          path: item.path,
          label: several ? `"${item.text}": ` : "",
          text: item.text,
          defaultPort: rule.defaultPort?.(doc),
          serves: rule.serves,
          everyInstance: rule.everyInstance,
        });
      }
    }
  };
  walk(doc, [], base);
  return out;
}

/** Strips `#` comments outside quotes from one nginx.conf line. */
function stripNginxComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#") return line.slice(0, i);
  }
  return line;
}

function unquote(v: string): string {
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}

/**
 * Upstreams an nginx.conf proxies to: `proxy_pass`/`grpc_pass` to a literal URL, to an `upstream` block's
 * servers, or through a variable (`proxy_pass $v;` / `proxy_pass http://$v;`) set with `set $v <url>;`.
 * Dynamic values (anything still containing `$`) are skipped: they cannot be resolved statically.
 */
function nginxAddresses(text: string, entry: Entry, path: string): AddressUse[] {
  const sets = new Map<string, { value: string; line: number }>();
  const upstreamBlocks = new Map<string, Array<{ value: string; line: number }>>();
  const passes: Array<{ value: string; line: number }> = [];
  let currentUpstream: string | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = stripNginxComment(raw);
    const lineNo = i + 1;
    const upstream = /^\s*upstream\s+([^\s{]+)\s*\{/.exec(line);
    if (upstream) {
      currentUpstream = upstream[1]!;
      upstreamBlocks.set(currentUpstream, []);
      return;
    }
    if (currentUpstream !== undefined) {
      const server = /^\s*server\s+(\S+?)\s*[;\s]/.exec(line);
      if (server) upstreamBlocks.get(currentUpstream)!.push({ value: server[1]!, line: lineNo });
      if (/\}/.test(line)) currentUpstream = undefined;
      return;
    }
    for (const set of line.matchAll(/(?:^|[\s;{])set\s+\$([A-Za-z0-9_]+)\s+("[^"]*"|'[^']*'|[^\s;]+)\s*;/g)) {
      sets.set(set[1]!, { value: unquote(set[2]!), line: lineNo });
    }
    for (const pass of line.matchAll(/(?:^|[\s;{])(?:proxy_pass|grpc_pass)\s+("[^"]*"|'[^']*'|[^\s;]+)\s*;/g)) {
      passes.push({ value: unquote(pass[1]!), line: lineNo });
    }
  });

  const out: AddressUse[] = [];
  const seen = new Set<string>();
  const add = (value: string, line: number, label: string, serves: string | undefined): void => {
    if (value.includes("$") || seen.has(`${line}|${value}`)) return;
    seen.add(`${line}|${value}`);
    out.push({ entry, path, label: `line ${line}: ${label}: `, text: value, defaultPort: undefined, serves, everyInstance: undefined });
  };
  for (const pass of passes) {
    const viaVariable = /^(?:[a-z]+:\/\/)?\$([A-Za-z0-9_]+)/.exec(pass.value);
    if (viaVariable) {
      const variable = viaVariable[1]!;
      const set = sets.get(variable);
      if (!set) continue; // set by a map or at run time
      // $upstream_<component> names the Mimir component that must serve it (the gateway's convention).
      const component = variable.replace(/^upstream_/, "").replace(/_/g, "-");
      const serves = variable.startsWith("upstream_") && MIMIR_COMPONENTS.has(component) ? component : undefined;
      const value = /^[a-z]+:\/\//.test(pass.value) && !/^[a-z]+:\/\//.test(set.value) ? `http://${set.value}` : set.value;
      add(value, set.line, `$${variable} (${set.value})`, serves);
      continue;
    }
    const hostMatch = /^(?:[a-z]+:\/\/)?([^/:]+)/.exec(pass.value);
    const block = hostMatch ? upstreamBlocks.get(hostMatch[1]!) : undefined;
    if (block) for (const server of block) add(server.value, server.line, `upstream ${hostMatch![1]} server ${server.value}`, undefined);
    else add(pass.value, pass.line, `proxy_pass ${pass.value}`, undefined);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The checks

/** One reason a Service must be headless: who relies on it, and the sentence around them. */
interface HeadlessReason {
  readonly head: string;
  readonly who: string;
  readonly tail: string;
}

/** Collects, per Service, why it must be headless; reported once per Service, reasons grouped by kind. */
class HeadlessNeeds {
  private readonly needs = new Map<ServiceInfo, HeadlessReason[]>();

  add(service: ServiceInfo, reason: HeadlessReason): void {
    if (service.headless || service.externalName) return;
    const list = this.needs.get(service);
    if (!list) this.needs.set(service, [reason]);
    else list.push(reason);
  }

  report(): Problem[] {
    const problems: Problem[] = [];
    for (const [service, reasons] of this.needs) {
      const grouped = new Map<string, { head: string; tail: string; who: string[] }>();
      for (const r of reasons) {
        const key = `${r.head}\u0000${r.tail}`;
        const g = grouped.get(key);
        if (!g) grouped.set(key, { head: r.head, tail: r.tail, who: [r.who] });
        else if (!g.who.includes(r.who)) g.who.push(r.who);
      }
      const because = [...grouped.values()].map((g) => `${g.head}${g.who.join(", ")}${g.tail}`).join("; ");
      const spec = isObject(service.entry.obj.spec) ? service.entry.obj.spec : {};
      const actual = spec.clusterIP === undefined ? "its clusterIP is unset, so it gets one virtual IP" : `its clusterIP is ${JSON.stringify(spec.clusterIP)}`;
      problems.push({
        file: service.entry.file,
        object: service.entry.ref,
        path: "spec.clusterIP",
        message: `must be headless (clusterIP: "None"), but ${actual}: ${because}`,
      });
    }
    return problems;
  }
}

/** Check 1a: every StatefulSet's governing Service exists and is headless. */
function checkGoverningServices(index: EnvIndex, headless: HeadlessNeeds): Problem[] {
  const problems: Problem[] = [];
  for (const e of index.entries) {
    if (e.kind !== "StatefulSet" || e.group !== "apps" || !isObject(e.obj.spec)) continue;
    const serviceName = str(e.obj.spec.serviceName);
    if (!serviceName) continue;
    const service = index.services.get(`${e.namespace}/${serviceName}`);
    if (!service) {
      problems.push({
        file: e.file,
        object: e.ref,
        path: "spec.serviceName",
        message: `names Service ${serviceName}, which this environment does not have: a StatefulSet's pods get their stable DNS names from this headless governing Service`,
      });
      continue;
    }
    headless.add(service, {
      head: "it is the spec.serviceName of ",
      who: e.ref,
      tail: ", and only a headless governing Service gives StatefulSet pods stable DNS names",
    });
  }
  return problems;
}

/** Checks 1b, 2 and 3 for one address: it names a Service with that port, headless if looked up per pod. */
function checkAddress(use: AddressUse, index: EnvIndex, selection: ServiceSelection, headless: HeadlessNeeds): Problem[] {
  const at = { file: use.entry.file, object: use.entry.ref, path: use.path };
  const parsed = parseAddress(use.text, use.defaultPort);
  if ("error" in parsed) return [{ ...at, message: `${use.label}address "${use.text}" ${parsed.error}` }];
  const target = serviceOfHost(parsed.host, use.entry.namespace, index.namespaces);
  if (!target) return []; // an IP or an external name: nothing in this environment to check against
  const where = target.namespace === use.entry.namespace ? "" : ` in namespace ${target.namespace}`;
  const service = index.services.get(`${target.namespace}/${target.name}`);
  if (!service) return [{ ...at, message: `${use.label}names Service ${target.name}${where}, which this environment does not have` }];

  const problems: Problem[] = [];
  if (!service.externalName) {
    const portList = service.ports.map((p) => (p.name ? `${p.port} (${p.name})` : `${p.port}`)).join(", ") || "none";
    if (parsed.srvPortName !== undefined) {
      if (!service.ports.some((p) => p.name === parsed.srvPortName)) {
        problems.push({ ...at, message: `${use.label}looks up SRV records of port "${parsed.srvPortName}" of Service ${target.name}${where}, which has no port of that name (ports: ${portList})` });
      }
    } else if (!service.ports.some((p) => p.port === parsed.port)) {
      problems.push({ ...at, message: `${use.label}names port ${parsed.port} of Service ${target.name}${where}, which has no such port (ports: ${portList})` });
    }
  }

  const who = `${use.entry.ref} ${use.path}${use.label ? ` ${use.label.replace(/: $/, "")}` : ""}`;
  if (parsed.lookup === "dns" || parsed.lookup === "dnssrv" || parsed.lookup === "dnssrvnoa") {
    headless.add(service, { head: `it is looked up with ${parsed.lookup}+ by `, who, tail: ", expecting one DNS record per pod" });
  } else if (use.everyInstance) {
    headless.add(service, { head: "it is addressed by ", who, tail: `, and ${use.everyInstance}` });
  }

  if (use.serves) {
    const mimirPods = selection.of(service).filter((t) => t.mimirTargets.length > 0);
    const runs = mimirPods.some((t) => t.mimirTargets.some((target) => mimirComponents(target).has(use.serves!)));
    if (mimirPods.length > 0 && !runs) {
      const pods = mimirPods.map((t) => `${t.entry.ref}: -target=${t.mimirTargets.join(" / -target=")}`).join(", ");
      problems.push({ ...at, message: `${use.label}needs Mimir's ${use.serves}, but Service ${target.name}${where} selects only pods that do not run it (${pods})` });
    }
  }
  return problems;
}

/** Data keys whose text is a Mimir config, and the nginx.conf key. */
const MIMIR_CONFIG_KEYS = ["mimir.yaml", "runtime.yaml"] as const;
const NGINX_CONF_KEY = "nginx.conf";

/** Checks 2 and 3: addresses in Mimir configs and gateway nginx.conf of ConfigMaps (and Secret stringData). */
function collectAddresses(index: EnvIndex, parse: (text: string) => unknown): AddressUse[] {
  const uses: AddressUse[] = [];
  for (const e of index.entries) {
    if (e.group !== "") continue;
    const field = e.kind === "ConfigMap" ? "data" : e.kind === "Secret" ? "stringData" : undefined;
    if (!field || !isObject(e.obj[field])) continue;
    const data = e.obj[field] as Json;
    for (const key of MIMIR_CONFIG_KEYS) {
      const text = data[key];
      if (typeof text === "string") uses.push(...mimirAddresses(parse(text), e, joinPath(field, key)));
    }
    const nginx = data[NGINX_CONF_KEY];
    if (typeof nginx === "string") uses.push(...nginxAddresses(nginx, e, joinPath(field, NGINX_CONF_KEY)));
  }
  return uses;
}

/** Check 4 for Services: the selector selects pods, and every targetPort is a port of a selected pod. */
function checkServiceSelectors(index: EnvIndex, selection: ServiceSelection): Problem[] {
  const problems: Problem[] = [];
  for (const service of index.services.values()) {
    if (!service.selector) continue;
    const { entry } = service;
    const selected = selection.of(service);
    if (selected.length === 0) {
      problems.push({
        file: entry.file,
        object: entry.ref,
        path: "spec.selector",
        message: `selects no pods: no pod template in namespace ${entry.namespace || "(none)"} has all of ${formatLabels(service.selector)}, so the Service has no endpoints`,
      });
      continue;
    }
    const refs = listRefs(selected.map((t) => t.entry));
    for (const port of service.ports) {
      const tp = port.targetPort;
      const found = selected.some((t) => t.ports.some((cp) => (typeof tp === "string" ? cp.name === tp : cp.containerPort === tp)));
      if (found) continue;
      problems.push({
        file: entry.file,
        object: entry.ref,
        path: `spec.ports[${port.index}].targetPort`,
        message:
          typeof tp === "string"
            ? `names container port "${tp}", which no selected pod template declares (${refs}): the port has no endpoints`
            : `is ${tp}, which is not a containerPort of any selected pod template (${refs})`,
      });
    }
  }
  return problems;
}

/** Check 4 for PodDisruptionBudgets of any group (policy/v1, rollout-operator's ZoneAwarePodDisruptionBudget). */
function checkDisruptionBudgets(index: EnvIndex): Problem[] {
  const problems: Problem[] = [];
  for (const e of index.entries) {
    if (!e.kind.endsWith("PodDisruptionBudget") || !isObject(e.obj.spec)) continue;
    const selector = e.obj.spec.selector;
    const at = { file: e.file, object: e.ref, path: "spec.selector" };
    if (!isObject(selector)) {
      problems.push({ ...at, message: "has no selector, so it protects no pods" });
      continue;
    }
    const templates = index.templates.get(e.namespace) ?? [];
    if (!templates.some((t) => matchesLabelSelector(selector, t.labels))) {
      problems.push({ ...at, message: `selects no pods: no pod template in namespace ${e.namespace || "(none)"} matches ${describeLabelSelector(selector)}, so it protects nothing during evictions` });
    }
  }
  return problems;
}

/** The namespaces a Prometheus Operator monitor looks in. */
export function monitorNamespaces(e: Entry, index: EnvIndex): string[] {
  const spec = isObject(e.obj.spec) ? e.obj.spec : {};
  const ns = isObject(spec.namespaceSelector) ? spec.namespaceSelector : undefined;
  if (ns?.any === true) return [...index.namespaces];
  if (ns && Array.isArray(ns.matchNames)) return ns.matchNames.filter((n): n is string => typeof n === "string");
  return [e.namespace];
}

/**
 * Check 4 for PodMonitors and ServiceMonitors (monitoring.coreos.com), when present. A monitor whose
 * namespaces hold no pods/Services of this environment targets something deployed elsewhere and is skipped.
 */
function checkMonitors(index: EnvIndex): Problem[] {
  const problems: Problem[] = [];
  for (const e of index.entries) {
    if (e.group !== "monitoring.coreos.com" || (e.kind !== "PodMonitor" && e.kind !== "ServiceMonitor") || !isObject(e.obj.spec)) continue;
    const spec = e.obj.spec;
    const selector = isObject(spec.selector) ? spec.selector : {};
    const namespaces = monitorNamespaces(e, index);
    const at = { file: e.file, object: e.ref };
    if (e.kind === "PodMonitor") {
      const inScope = namespaces.flatMap((ns) => index.templates.get(ns) ?? []);
      if (inScope.length === 0) continue;
      const selected = inScope.filter((t) => matchesLabelSelector(selector, t.labels));
      if (selected.length === 0) {
        problems.push({ ...at, path: "spec.selector", message: `selects no pods: no pod template in ${namespaces.join(", ")} matches ${describeLabelSelector(selector)}` });
        continue;
      }
      const endpoints = Array.isArray(spec.podMetricsEndpoints) ? spec.podMetricsEndpoints : [];
      endpoints.forEach((ep, i) => {
        if (!isObject(ep)) return;
        const port = ep.port;
        const number = ep.portNumber;
        if (typeof port === "string" && !selected.some((t) => t.ports.some((cp) => cp.name === port))) {
          problems.push({ ...at, path: `spec.podMetricsEndpoints[${i}].port`, message: `names container port "${port}", which no selected pod template declares (${listRefs(selected.map((t) => t.entry))})` });
        } else if (typeof number === "number" && !selected.some((t) => t.ports.some((cp) => cp.containerPort === number))) {
          problems.push({ ...at, path: `spec.podMetricsEndpoints[${i}].portNumber`, message: `is ${number}, which is not a containerPort of any selected pod template (${listRefs(selected.map((t) => t.entry))})` });
        }
      });
      continue;
    }
    const inScope = [...index.services.values()].filter((s) => namespaces.includes(s.entry.namespace));
    if (inScope.length === 0) continue;
    const selected = inScope.filter((s) => matchesLabelSelector(selector, s.labels));
    if (selected.length === 0) {
      problems.push({ ...at, path: "spec.selector", message: `selects no Service: no Service in ${namespaces.join(", ")} has labels matching ${describeLabelSelector(selector)}` });
      continue;
    }
    const endpoints = Array.isArray(spec.endpoints) ? spec.endpoints : [];
    endpoints.forEach((ep, i) => {
      if (!isObject(ep) || typeof ep.port !== "string") return;
      const port = ep.port;
      if (!selected.some((s) => s.ports.some((p) => p.name === port))) {
        problems.push({ ...at, path: `spec.endpoints[${i}].port`, message: `names Service port "${port}", which no selected Service has (${listRefs(selected.map((s) => s.entry))})` });
      }
    });
  }
  return problems;
}

/** Check 5: every HPA targets a workload of this environment that leaves spec.replicas to the HPA. */
function checkAutoscalers(index: EnvIndex): Problem[] {
  const problems: Problem[] = [];
  for (const e of index.entries) {
    if (e.kind !== "HorizontalPodAutoscaler" || e.group !== "autoscaling" || !isObject(e.obj.spec)) continue;
    const ref = e.obj.spec.scaleTargetRef;
    if (!isObject(ref) || typeof ref.kind !== "string" || typeof ref.name !== "string") continue;
    const group = typeof ref.apiVersion === "string" && ref.apiVersion.includes("/") ? ref.apiVersion.slice(0, ref.apiVersion.indexOf("/")) : undefined;
    const target = (index.byKindName.get(`${ref.kind}|${e.namespace}|${ref.name}`) ?? []).find((t) => group === undefined || t.group === group);
    if (!target) {
      problems.push({ file: e.file, object: e.ref, path: "spec.scaleTargetRef", message: `scales ${ref.kind}/${ref.name}, which this environment does not have` });
      continue;
    }
    const replicas = isObject(target.obj.spec) ? target.obj.spec.replicas : undefined;
    if (replicas !== undefined && replicas !== null) {
      problems.push({
        file: target.file,
        object: target.ref,
        path: "spec.replicas",
        message: `is fixed at ${JSON.stringify(replicas)}, but ${e.ref} scales this ${target.kind}: every GitOps sync would reset the replica count the HPA chose; leave spec.replicas unset`,
      });
    }
  }
  return problems;
}

/**
 * Runs every invariant over the objects of one environment (all its files together). Pure: no I/O, and the
 * objects are not modified. Sets without Services, workloads or configs (argocd/, flux/) yield nothing.
 */
export function checkInvariants(files: ReadonlyArray<InvariantFile>, options: InvariantOptions = {}): Problem[] {
  const index = indexEnvironment(files);
  const selection = new ServiceSelection(index);
  const headless = new HeadlessNeeds();
  const parsedHere = new Map<string, unknown>();
  const parse = (text: string): unknown => {
    if (options.parsedYaml?.has(text)) return options.parsedYaml.get(text);
    if (!parsedHere.has(text)) {
      let doc: unknown;
      try {
        doc = load(text);
      } catch {
        doc = undefined; // invalid YAML is reported by the Mimir key check
      }
      parsedHere.set(text, doc);
    }
    return parsedHere.get(text);
  };

  const governing = checkGoverningServices(index, headless);
  const addresses = collectAddresses(index, parse).flatMap((use) => checkAddress(use, index, selection, headless));
  return [
    ...governing,
    ...headless.report(),
    ...addresses,
    ...checkServiceSelectors(index, selection),
    ...checkDisruptionBudgets(index),
    ...checkMonitors(index),
    ...checkAutoscalers(index),
  ];
}
