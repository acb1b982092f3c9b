import path from "node:path";
import { fileURLToPath } from "node:url";
import { dump } from "js-yaml";
import { describe, expect, it } from "vitest";
import { checkInvariants, parseAddress, type InvariantFile } from "../src/validate/invariants.js";
import { validateManifests } from "../src/validate/manifests.js";
import { formatProblem } from "../src/validate/problem.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schemasDir = path.join(repoRoot, "imports", "schemas");

type Obj = Record<string, any>;
const NS = "mimir";

// --- Small builders for hand-made environments -----------------------------------------------------------

const sel = (component: string): Record<string, string> => ({ "app.kubernetes.io/name": "mimir", "app.kubernetes.io/component": component });

interface PodOptions {
  readonly labels: Record<string, string>;
  readonly ports: ReadonlyArray<readonly [name: string | undefined, port: number]>;
  readonly image?: string;
  readonly args?: string[];
}

function podTemplate(o: PodOptions): Obj {
  const port = ([name, containerPort]: readonly [string | undefined, number]): Obj => (name ? { name, containerPort } : { containerPort });
  return {
    metadata: { labels: o.labels },
    spec: { containers: [{ name: "main", image: o.image ?? "grafana/mimir:3.0.1", ...(o.args ? { args: o.args } : {}), ports: o.ports.map(port) }] },
  };
}

function statefulSet(name: string, serviceName: string, o: PodOptions & { replicas?: number }): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, namespace: NS },
    spec: { serviceName, ...(o.replicas !== undefined ? { replicas: o.replicas } : {}), selector: { matchLabels: o.labels }, template: podTemplate(o) },
  };
}

function deployment(name: string, o: PodOptions & { replicas?: number }): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: { ...(o.replicas !== undefined ? { replicas: o.replicas } : {}), selector: { matchLabels: o.labels }, template: podTemplate(o) },
  };
}

function service(name: string, o: { headless?: boolean; selector?: Record<string, string>; labels?: Record<string, string>; ports: Array<[string, number, (string | number)?]> }): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: NS, ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      type: "ClusterIP",
      ...(o.headless ? { clusterIP: "None" } : {}),
      ports: o.ports.map(([n, port, targetPort]) => ({ name: n, port, ...(targetPort !== undefined ? { targetPort } : {}) })),
      ...(o.selector ? { selector: o.selector } : {}),
    },
  };
}

const configMap = (name: string, data: Record<string, string>): Obj => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data });

const MIMIR_YAML = {
  frontend: {
    scheduler_address: "query-scheduler-headless.mimir.svc.cluster.local:9095",
    results_cache: { backend: "memcached", memcached: { addresses: "dns+results-cache.mimir.svc:11211" } },
  },
  frontend_worker: { scheduler_address: "query-scheduler-headless.mimir.svc.cluster.local:9095" },
  blocks_storage: { bucket_store: { chunks_cache: { memcached: { addresses: "dns+chunks-cache.mimir.svc.cluster.local.:11211" } } } },
  limits: { ruler_alertmanager_client_config: { alertmanager_url: "dnssrvnoa+http://_http-metrics._tcp.alertmanager-headless.mimir.svc.cluster.local./alertmanager" } },
  memberlist: { join_members: ["dns+gossip-ring.mimir.svc.cluster.local.:7946", "gossip-ring"] },
  ruler: { query_frontend: { address: "dns:///query-frontend.mimir.svc.cluster.local:9095" } },
  common: { storage: { s3: { endpoint: "s3.eu-west-1.amazonaws.com" } } },
};

const RUNTIME_YAML = {
  overrides: { "team-a": { ruler_alertmanager_client_config: { alertmanager_url: "http://alertmanager.mimir:8080/alertmanager" } } },
};

function nginxConf(upstreams: Record<string, string>, extra = ""): string {
  const sets = Object.entries(upstreams).map(([v, url]) => `        set $${v} ${url};`);
  const passes = Object.keys(upstreams).map((v) => `        location /${v} {\n            proxy_pass $${v};\n        }`);
  return [
    "# proxy_pass http://commented-out:1;",
    "http {",
    "    resolver kube-dns.kube-system.svc.cluster.local valid=10s;",
    extra,
    "    server {",
    "        listen 8080;",
    ...sets,
    ...passes,
    "    }",
    "}",
  ].join("\n");
}

const GOOD_NGINX = { upstream_query_frontend: "http://query-frontend.mimir.svc.cluster.local:8080", upstream_alertmanager: "http://alertmanager-headless.mimir.svc.cluster.local:8080" };

const MIMIR_PORTS: PodOptions["ports"] = [["http-metrics", 8080], ["grpc", 9095]];
const GOSSIP_PORTS: PodOptions["ports"] = [...MIMIR_PORTS, ["memberlist", 7946]];

/** A small environment where every invariant holds; each case breaks one thing. */
function goodEnv(): InvariantFile[] {
  const memberlist = { "app.kubernetes.io/part-of": "memberlist" };
  return [
    {
      file: "dist/test/caches.yaml",
      objects: [
        statefulSet("chunks-cache", "chunks-cache", { labels: { component: "chunks-cache" }, ports: [["client", 11211]], image: "memcached:1.6" }),
        service("chunks-cache", { headless: true, selector: { component: "chunks-cache" }, ports: [["memcached-client", 11211, "client"]] }),
        deployment("results-cache", { labels: { component: "results-cache" }, ports: [["client", 11211]], image: "memcached:1.6" }),
        service("results-cache", { headless: true, selector: { component: "results-cache" }, ports: [["memcached-client", 11211, "client"]] }),
      ],
    },
    {
      file: "dist/test/ingester.yaml",
      objects: [
        statefulSet("ingester", "ingester-headless", { labels: { ...sel("ingester"), ...memberlist }, ports: GOSSIP_PORTS, args: ["-target=ingester"], replicas: 3 }),
        service("ingester-headless", { headless: true, selector: sel("ingester"), ports: [["http-metrics", 8080, "http-metrics"], ["grpc", 9095, "grpc"]] }),
        { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "ingester", namespace: NS }, spec: { maxUnavailable: 1, selector: { matchLabels: sel("ingester") } } },
        {
          apiVersion: "rollout-operator.grafana.com/v1",
          kind: "ZoneAwarePodDisruptionBudget",
          metadata: { name: "ingester-rollout", namespace: NS },
          spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/component": "ingester" } } },
        },
      ],
    },
    {
      file: "dist/test/query.yaml",
      objects: [
        deployment("query-scheduler", { labels: sel("query-scheduler"), ports: MIMIR_PORTS, args: ["-target=query-scheduler"], replicas: 2 }),
        service("query-scheduler-headless", { headless: true, selector: sel("query-scheduler"), ports: [["http-metrics", 8080, "http-metrics"], ["grpc", 9095, "grpc"]] }),
        deployment("query-frontend", { labels: sel("query-frontend"), ports: MIMIR_PORTS, args: ["-target=query-frontend", "-config.expand-env=true"] }),
        service("query-frontend", { selector: sel("query-frontend"), labels: { team: "obs" }, ports: [["http-metrics", 8080, "http-metrics"], ["grpc", 9095, 9095]] }),
        {
          apiVersion: "autoscaling/v2",
          kind: "HorizontalPodAutoscaler",
          metadata: { name: "query-frontend", namespace: NS },
          spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "query-frontend" }, minReplicas: 2, maxReplicas: 5 },
        },
        {
          apiVersion: "policy/v1",
          kind: "PodDisruptionBudget",
          metadata: { name: "query-path", namespace: NS },
          spec: { maxUnavailable: 1, selector: { matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: ["query-frontend", "query-scheduler"] }] } },
        },
      ],
    },
    {
      file: "dist/test/alertmanager.yaml",
      objects: [
        statefulSet("alertmanager", "alertmanager-headless", { labels: { ...sel("alertmanager"), ...memberlist }, ports: GOSSIP_PORTS, args: ["-target", "alertmanager"], replicas: 3 }),
        service("alertmanager-headless", { headless: true, selector: sel("alertmanager"), ports: [["http-metrics", 8080, "http-metrics"]] }),
        service("alertmanager", { selector: sel("alertmanager"), ports: [["http-metrics", 8080, "http-metrics"]] }),
        service("gossip-ring", { headless: true, selector: memberlist, ports: [["gossip-ring", 7946, 7946]] }),
      ],
    },
    {
      file: "dist/test/mimir-config.yaml",
      objects: [configMap("mimir-config", { "mimir.yaml": dump(MIMIR_YAML) }), configMap("mimir-runtime", { "runtime.yaml": dump(RUNTIME_YAML) })],
    },
    {
      file: "dist/test/gateway.yaml",
      objects: [
        configMap("gateway-nginx", { "nginx.conf": nginxConf(GOOD_NGINX) }),
        deployment("gateway", { labels: { component: "gateway" }, ports: [["http-metrics", 8080]], image: "nginxinc/nginx-unprivileged:1.29-alpine" }),
        service("gateway", { selector: { component: "gateway" }, ports: [["http", 80, "http-metrics"]] }),
      ],
    },
    {
      file: "dist/test/monitoring.yaml",
      objects: [
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PodMonitor",
          metadata: { name: "mimir", namespace: NS },
          spec: { selector: { matchLabels: { "app.kubernetes.io/name": "mimir" } }, podMetricsEndpoints: [{ port: "http-metrics" }] },
        },
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name: "query-frontend", namespace: NS },
          spec: { selector: { matchLabels: { team: "obs" } }, namespaceSelector: { matchNames: [NS] }, endpoints: [{ port: "http-metrics" }] },
        },
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name: "elsewhere", namespace: NS },
          spec: { selector: { matchLabels: { app: "kube-state-metrics" } }, namespaceSelector: { matchNames: ["kube-system"] }, endpoints: [{ port: "http" }] },
        },
      ],
    },
  ];
}

/** Finds one object of the environment by kind and name, to break it. */
function find(env: InvariantFile[], kind: string, name: string): Obj {
  for (const f of env) for (const o of f.objects as Obj[]) if (o.kind === kind && o.metadata.name === name) return o;
  throw new Error(`no ${kind}/${name} in the test environment`);
}

/** Rewrites mimir.yaml (or runtime.yaml) of the environment through a mutation of its parsed form. */
function editConfig(env: InvariantFile[], key: "mimir.yaml" | "runtime.yaml", edit: (doc: Obj) => void): void {
  const doc = structuredClone(key === "mimir.yaml" ? MIMIR_YAML : RUNTIME_YAML) as Obj;
  edit(doc);
  find(env, "ConfigMap", key === "mimir.yaml" ? "mimir-config" : "mimir-runtime").data[key] = dump(doc);
}

const run = (env: InvariantFile[]): string[] => checkInvariants(env).map(formatProblem);

// --- The cases ------------------------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly breakIt: (env: InvariantFile[]) => void;
  readonly expected: readonly string[];
}

const HEADLESS_PREFIX = 'spec.clusterIP: must be headless (clusterIP: "None"), but its clusterIP is unset, so it gets one virtual IP: ';

const headlessCases: Case[] = [
  {
    name: "a StatefulSet's governing Service has a cluster IP",
    breakIt: (env) => delete find(env, "Service", "ingester-headless").spec.clusterIP,
    expected: [
      `dist/test/ingester.yaml: Service/ingester-headless: ${HEADLESS_PREFIX}it is the spec.serviceName of StatefulSet/ingester, and only a headless governing Service gives StatefulSet pods stable DNS names`,
    ],
  },
  {
    name: "a governing Service with an explicit cluster IP",
    breakIt: (env) => (find(env, "Service", "ingester-headless").spec.clusterIP = "10.0.0.7"),
    expected: [
      'dist/test/ingester.yaml: Service/ingester-headless: spec.clusterIP: must be headless (clusterIP: "None"), but its clusterIP is "10.0.0.7": it is the spec.serviceName of StatefulSet/ingester, and only a headless governing Service gives StatefulSet pods stable DNS names',
    ],
  },
  {
    name: "a StatefulSet's governing Service is missing",
    breakIt: (env) => (find(env, "StatefulSet", "ingester").spec.serviceName = "ingesters"),
    expected: [
      "dist/test/ingester.yaml: StatefulSet/ingester: spec.serviceName: names Service ingesters, which this environment does not have: a StatefulSet's pods get their stable DNS names from this headless governing Service",
    ],
  },
  {
    name: "a memcached dns+ address names a non-headless Service",
    breakIt: (env) => delete find(env, "Service", "results-cache").spec.clusterIP,
    expected: [
      `dist/test/caches.yaml: Service/results-cache: ${HEADLESS_PREFIX}it is looked up with dns+ by ConfigMap/mimir-config data["mimir.yaml"].frontend.results_cache.memcached.addresses, expecting one DNS record per pod`,
    ],
  },
  {
    name: "both reasons at once are reported as one problem",
    breakIt: (env) => delete find(env, "Service", "chunks-cache").spec.clusterIP,
    expected: [
      `dist/test/caches.yaml: Service/chunks-cache: ${HEADLESS_PREFIX}it is the spec.serviceName of StatefulSet/chunks-cache, and only a headless governing Service gives StatefulSet pods stable DNS names; it is looked up with dns+ by ConfigMap/mimir-config data["mimir.yaml"].blocks_storage.bucket_store.chunks_cache.memcached.addresses, expecting one DNS record per pod`,
    ],
  },
  {
    name: "the scheduler address resolves to one virtual IP",
    breakIt: (env) => delete find(env, "Service", "query-scheduler-headless").spec.clusterIP,
    expected: [
      `dist/test/query.yaml: Service/query-scheduler-headless: ${HEADLESS_PREFIX}it is addressed by ConfigMap/mimir-config data["mimir.yaml"].frontend.scheduler_address, ConfigMap/mimir-config data["mimir.yaml"].frontend_worker.scheduler_address, and Mimir connects to every query-scheduler the name resolves to`,
    ],
  },
];

const addressCases: Case[] = [
  {
    name: "scheduler_address names a Service the environment lacks",
    breakIt: (env) => editConfig(env, "mimir.yaml", (d) => (d.frontend.scheduler_address = "query-scheduler.mimir.svc.cluster.local:9095")),
    expected: ['dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].frontend.scheduler_address: names Service query-scheduler, which this environment does not have'],
  },
  {
    name: "a memcached address with a wrong port",
    breakIt: (env) => editConfig(env, "mimir.yaml", (d) => (d.frontend.results_cache.memcached.addresses = "dns+results-cache.mimir.svc:11212")),
    expected: [
      'dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].frontend.results_cache.memcached.addresses: names port 11212 of Service results-cache, which has no such port (ports: 11211 (memcached-client))',
    ],
  },
  {
    name: "one bad entry of a comma-separated address list is named",
    breakIt: (env) =>
      editConfig(env, "mimir.yaml", (d) => (d.frontend.results_cache.memcached.addresses = "dns+results-cache.mimir.svc:11211,dns+results-cache-2.mimir.svc:11211")),
    expected: [
      'dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].frontend.results_cache.memcached.addresses: "dns+results-cache-2.mimir.svc:11211": names Service results-cache-2, which this environment does not have',
    ],
  },
  {
    name: "an SRV lookup of a port name the Service does not have",
    breakIt: (env) =>
      editConfig(env, "mimir.yaml", (d) => (d.limits.ruler_alertmanager_client_config.alertmanager_url = "dnssrvnoa+http://_http._tcp.alertmanager-headless.mimir.svc.cluster.local./alertmanager")),
    expected: [
      'dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].limits.ruler_alertmanager_client_config.alertmanager_url: looks up SRV records of port "http" of Service alertmanager-headless, which has no port of that name (ports: 8080 (http-metrics))',
    ],
  },
  {
    name: "an SRV lookup without the _port._tcp prefix",
    breakIt: (env) => editConfig(env, "mimir.yaml", (d) => (d.memberlist.join_members = ["dnssrv+gossip-ring.mimir.svc.cluster.local"])),
    expected: [
      'dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].memberlist.join_members[0]: address "dnssrv+gossip-ring.mimir.svc.cluster.local" is an SRV lookup (dnssrv+), which needs a name of the form _<port-name>._tcp.<service>',
    ],
  },
  {
    name: "join_members without a port use memberlist.bind_port",
    breakIt: (env) => editConfig(env, "mimir.yaml", (d) => (d.memberlist.bind_port = 7947)),
    expected: [
      'dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].memberlist.join_members[1]: names port 7947 of Service gossip-ring, which has no such port (ports: 7946 (gossip-ring))',
    ],
  },
  {
    name: "a Service in another namespace",
    breakIt: (env) => editConfig(env, "mimir.yaml", (d) => (d.ruler.query_frontend.address = "dns:///query-frontend.other.svc.cluster.local:9095")),
    expected: [
      'dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].ruler.query_frontend.address: names Service query-frontend in namespace other, which this environment does not have',
    ],
  },
  {
    name: "a per-tenant Alertmanager URL in runtime.yaml",
    breakIt: (env) =>
      editConfig(env, "runtime.yaml", (d) => (d.overrides["team-a"].ruler_alertmanager_client_config.alertmanager_url = "http://alertmanager-main.mimir:8080/alertmanager")),
    expected: [
      'dist/test/mimir-config.yaml: ConfigMap/mimir-runtime: data["runtime.yaml"].overrides.team-a.ruler_alertmanager_client_config.alertmanager_url: names Service alertmanager-main, which this environment does not have',
    ],
  },
  {
    name: "an address whose Service runs a different Mimir component",
    breakIt: (env) =>
      editConfig(env, "mimir.yaml", (d) => {
        d.frontend.scheduler_address = "query-frontend.mimir.svc.cluster.local:9095";
        delete d.frontend_worker;
      }),
    expected: [
      `dist/test/query.yaml: Service/query-frontend: ${HEADLESS_PREFIX}it is addressed by ConfigMap/mimir-config data["mimir.yaml"].frontend.scheduler_address, and Mimir connects to every query-scheduler the name resolves to`,
      'dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].frontend.scheduler_address: needs Mimir\'s query-scheduler, but Service query-frontend selects only pods that do not run it (Deployment/query-frontend: -target=query-frontend)',
    ],
  },
];

const gatewayCases: Case[] = [
  {
    name: "an nginx upstream names a missing Service",
    breakIt: (env) => (find(env, "ConfigMap", "gateway-nginx").data["nginx.conf"] = nginxConf({ ...GOOD_NGINX, upstream_ruler: "http://ruler.mimir.svc.cluster.local:8080" })),
    expected: ['dist/test/gateway.yaml: ConfigMap/gateway-nginx: data["nginx.conf"]: line 9: $upstream_ruler (http://ruler.mimir.svc.cluster.local:8080): names Service ruler, which this environment does not have'],
  },
  {
    name: "an nginx upstream with a port the Service lacks",
    breakIt: (env) =>
      (find(env, "ConfigMap", "gateway-nginx").data["nginx.conf"] = nginxConf({ ...GOOD_NGINX, upstream_query_frontend: "query-frontend.mimir.svc.cluster.local:80" })),
    expected: [
      'dist/test/gateway.yaml: ConfigMap/gateway-nginx: data["nginx.conf"]: line 7: $upstream_query_frontend (query-frontend.mimir.svc.cluster.local:80): names port 80 of Service query-frontend, which has no such port (ports: 8080 (http-metrics), 9095 (grpc))',
    ],
  },
  {
    name: "an nginx upstream to pods that do not run the component (monolithic -target=all has no alertmanager)",
    breakIt: (env) => {
      const am = find(env, "StatefulSet", "alertmanager");
      am.spec.template.spec.containers[0].args = ["-target=all"];
    },
    expected: [
      'dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].limits.ruler_alertmanager_client_config.alertmanager_url: needs Mimir\'s alertmanager, but Service alertmanager-headless selects only pods that do not run it (StatefulSet/alertmanager: -target=all)',
      'dist/test/mimir-config.yaml: ConfigMap/mimir-runtime: data["runtime.yaml"].overrides.team-a.ruler_alertmanager_client_config.alertmanager_url: needs Mimir\'s alertmanager, but Service alertmanager selects only pods that do not run it (StatefulSet/alertmanager: -target=all)',
      'dist/test/gateway.yaml: ConfigMap/gateway-nginx: data["nginx.conf"]: line 8: $upstream_alertmanager (http://alertmanager-headless.mimir.svc.cluster.local:8080): needs Mimir\'s alertmanager, but Service alertmanager-headless selects only pods that do not run it (StatefulSet/alertmanager: -target=all)',
    ],
  },
  {
    name: "an upstream block and a literal proxy_pass",
    breakIt: (env) =>
      (find(env, "ConfigMap", "gateway-nginx").data["nginx.conf"] = nginxConf(
        GOOD_NGINX,
        "    upstream writes {\n        server distributor.mimir.svc:8080 max_fails=0;\n    }\n    server { location /w { proxy_pass http://writes; } location /q { proxy_pass http://query-frontend:9096/prometheus; } }",
      )),
    expected: [
      'dist/test/gateway.yaml: ConfigMap/gateway-nginx: data["nginx.conf"]: line 5: upstream writes server distributor.mimir.svc:8080: names Service distributor, which this environment does not have',
      'dist/test/gateway.yaml: ConfigMap/gateway-nginx: data["nginx.conf"]: line 7: proxy_pass http://query-frontend:9096/prometheus: names port 9096 of Service query-frontend, which has no such port (ports: 8080 (http-metrics), 9095 (grpc))',
    ],
  },
];

const selectorCases: Case[] = [
  {
    name: "a PodDisruptionBudget selects nothing",
    breakIt: (env) => (find(env, "PodDisruptionBudget", "ingester").spec.selector.matchLabels["app.kubernetes.io/component"] = "ingestor"),
    expected: [
      "dist/test/ingester.yaml: PodDisruptionBudget/ingester: spec.selector: selects no pods: no pod template in namespace mimir matches app.kubernetes.io/name=mimir, app.kubernetes.io/component=ingestor, so it protects nothing during evictions",
    ],
  },
  {
    name: "a NotIn expression that still selects other pods is fine",
    breakIt: (env) => (find(env, "PodDisruptionBudget", "query-path").spec.selector.matchExpressions[0].operator = "NotIn"),
    expected: [],
  },
  {
    name: "a PodDisruptionBudget whose DoesNotExist expression selects nothing",
    breakIt: (env) => (find(env, "PodDisruptionBudget", "query-path").spec.selector.matchExpressions = [{ key: "app.kubernetes.io/name", operator: "DoesNotExist" }, { key: "app.kubernetes.io/component", operator: "Exists" }]),
    expected: [
      "dist/test/query.yaml: PodDisruptionBudget/query-path: spec.selector: selects no pods: no pod template in namespace mimir matches app.kubernetes.io/name DoesNotExist, app.kubernetes.io/component Exists, so it protects nothing during evictions",
    ],
  },
  {
    name: "a ZoneAwarePodDisruptionBudget selects nothing",
    breakIt: (env) => (find(env, "ZoneAwarePodDisruptionBudget", "ingester-rollout").spec.selector.matchLabels = { "rollout-group": "ingester" }),
    expected: [
      "dist/test/ingester.yaml: ZoneAwarePodDisruptionBudget/ingester-rollout: spec.selector: selects no pods: no pod template in namespace mimir matches rollout-group=ingester, so it protects nothing during evictions",
    ],
  },
  {
    name: "a Service selects no pods",
    breakIt: (env) => (find(env, "Service", "gateway").spec.selector = { component: "gatway" }),
    expected: ["dist/test/gateway.yaml: Service/gateway: spec.selector: selects no pods: no pod template in namespace mimir has all of component=gatway, so the Service has no endpoints"],
  },
  {
    name: "a named targetPort that no container has",
    breakIt: (env) => (find(env, "Service", "results-cache").spec.ports[0].targetPort = "memcached"),
    expected: [
      'dist/test/caches.yaml: Service/results-cache: spec.ports[0].targetPort: names container port "memcached", which no selected pod template declares (Deployment/results-cache): the port has no endpoints',
    ],
  },
  {
    name: "a numeric targetPort (defaulted from port) that is no containerPort",
    breakIt: (env) => delete find(env, "Service", "gateway").spec.ports[0].targetPort,
    expected: ["dist/test/gateway.yaml: Service/gateway: spec.ports[0].targetPort: is 80, which is not a containerPort of any selected pod template (Deployment/gateway)"],
  },
  {
    name: "a PodMonitor selects nothing",
    breakIt: (env) => (find(env, "PodMonitor", "mimir").spec.selector.matchLabels = { "app.kubernetes.io/name": "cortex" }),
    expected: ["dist/test/monitoring.yaml: PodMonitor/mimir: spec.selector: selects no pods: no pod template in mimir matches app.kubernetes.io/name=cortex"],
  },
  {
    name: "a PodMonitor port no selected container has",
    breakIt: (env) => (find(env, "PodMonitor", "mimir").spec.podMetricsEndpoints[0].port = "metrics"),
    expected: [
      'dist/test/monitoring.yaml: PodMonitor/mimir: spec.podMetricsEndpoints[0].port: names container port "metrics", which no selected pod template declares (StatefulSet/ingester, Deployment/query-scheduler, Deployment/query-frontend, StatefulSet/alertmanager)',
    ],
  },
  {
    name: "a ServiceMonitor endpoint port no selected Service has",
    breakIt: (env) => (find(env, "ServiceMonitor", "query-frontend").spec.endpoints[0].port = "http"),
    expected: ['dist/test/monitoring.yaml: ServiceMonitor/query-frontend: spec.endpoints[0].port: names Service port "http", which no selected Service has (Service/query-frontend)'],
  },
  {
    name: "a ServiceMonitor selects no Service",
    breakIt: (env) => (find(env, "ServiceMonitor", "query-frontend").spec.selector.matchLabels = { team: "infra" }),
    expected: ["dist/test/monitoring.yaml: ServiceMonitor/query-frontend: spec.selector: selects no Service: no Service in mimir has labels matching team=infra"],
  },
];

const autoscalerCases: Case[] = [
  {
    name: "an HPA target with fixed replicas",
    breakIt: (env) => (find(env, "Deployment", "query-frontend").spec.replicas = 3),
    expected: [
      "dist/test/query.yaml: Deployment/query-frontend: spec.replicas: is fixed at 3, but HorizontalPodAutoscaler/query-frontend scales this Deployment: every GitOps sync would reset the replica count the HPA chose; leave spec.replicas unset",
    ],
  },
  {
    name: "an HPA whose target does not exist",
    breakIt: (env) => (find(env, "HorizontalPodAutoscaler", "query-frontend").spec.scaleTargetRef.kind = "StatefulSet"),
    expected: ["dist/test/query.yaml: HorizontalPodAutoscaler/query-frontend: spec.scaleTargetRef: scales StatefulSet/query-frontend, which this environment does not have"],
  },
];

describe("checkInvariants", () => {
  it("finds nothing wrong in an environment where everything fits", () => {
    expect(run(goodEnv())).toEqual([]);
  });

  it("yields nothing for sets without Services, workloads or configs (argocd/, flux/)", () => {
    const app = { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "prod", namespace: "argocd" }, spec: {} };
    expect(run([{ file: "argocd/prod.yaml", objects: [app, null, "junk"] }])).toEqual([]);
  });

  for (const [group, cases] of [
    ["headless where needed", headlessCases],
    ["addresses resolve", addressCases],
    ["gateway upstreams resolve", gatewayCases],
    ["selectors select pods", selectorCases],
    ["HPA targets", autoscalerCases],
  ] as const) {
    describe(group, () => {
      it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const env = goodEnv();
        c.breakIt(env);
        expect(run(env)).toEqual(c.expected);
      });
    });
  }

  it("infers the namespace of objects that do not set one", () => {
    const env = goodEnv();
    for (const f of env) for (const o of f.objects as Obj[]) if (o.metadata.name !== "ingester") delete o.metadata.namespace;
    expect(run(env)).toEqual([]);
    find(env, "Service", "gateway").spec.selector = { component: "gatway" };
    expect(run(env)).toEqual(["dist/test/gateway.yaml: Service/gateway: spec.selector: selects no pods: no pod template in namespace mimir has all of component=gatway, so the Service has no endpoints"]);
  });

  it("uses YAML its caller already parsed instead of parsing again", () => {
    const env = goodEnv();
    const text = find(env, "ConfigMap", "mimir-config").data["mimir.yaml"] as string;
    const parsedYaml = new Map<string, unknown>([[text, { frontend: { scheduler_address: "nowhere:9095" } }]]);
    expect(checkInvariants(env, { parsedYaml }).map(formatProblem)).toEqual([
      'dist/test/mimir-config.yaml: ConfigMap/mimir-config: data["mimir.yaml"].frontend.scheduler_address: names Service nowhere, which this environment does not have',
    ]);
  });

  it("skips invalid YAML (the Mimir key check reports it)", () => {
    const env = goodEnv();
    find(env, "ConfigMap", "mimir-config").data["mimir.yaml"] = "frontend: [";
    expect(run(env)).toEqual([]);
  });
});

describe("parseAddress", () => {
  it.each([
    ["query-scheduler-headless.mimir.svc.cluster.local:9095", { lookup: "plain", host: "query-scheduler-headless.mimir.svc.cluster.local", port: 9095 }],
    ["dns+results-cache.mimir.svc:11211", { lookup: "dns", host: "results-cache.mimir.svc", port: 11211 }],
    ["dns+gossip-ring.mimir.svc.cluster.local.:7946", { lookup: "dns", host: "gossip-ring.mimir.svc.cluster.local", port: 7946 }],
    ["dnssrv+_memberlist._tcp.gossip-ring.mimir", { lookup: "dnssrv", host: "gossip-ring.mimir", port: undefined, srvPortName: "memberlist" }],
    [
      "dnssrvnoa+http://_http-metrics._tcp.alertmanager-headless.mimir.svc.cluster.local./alertmanager",
      { lookup: "dnssrvnoa", host: "alertmanager-headless.mimir.svc.cluster.local", port: undefined, srvPortName: "http-metrics" },
    ],
    ["dns:///query-frontend.mimir.svc.cluster.local:9095", { lookup: "grpc-dns", host: "query-frontend.mimir.svc.cluster.local", port: 9095 }],
    ["http://alertmanager.mimir:8080/alertmanager", { lookup: "plain", host: "alertmanager.mimir", port: 8080 }],
    ["https://user:pw@Example.COM/path?q=1", { lookup: "plain", host: "example.com", port: 443 }],
    ["http://[::1]:9000/", { lookup: "plain", host: "::1", port: 9000 }],
  ])("%s", (text, expected) => {
    expect(parseAddress(text)).toMatchObject(expected);
  });

  it("uses the default port, and explains unusable addresses", () => {
    expect(parseAddress("gossip-ring", 7946)).toMatchObject({ host: "gossip-ring", port: 7946 });
    expect(parseAddress("gossip-ring")).toEqual({ error: "has no port" });
    expect(parseAddress("memcached:port")).toEqual({ error: 'has a port "port" that is not a number' });
    expect(parseAddress("dnssrv+memcached.mimir.svc")).toMatchObject({ error: expect.stringMatching(/_<port-name>\._tcp\.<service>/) });
  });
});

describe("validateManifests", () => {
  it("runs the invariants over all files of the environment together", () => {
    const env = goodEnv();
    find(env, "PodDisruptionBudget", "ingester").spec.selector.matchLabels = { component: "nothing" };
    const problems = validateManifests(
      env.map((f) => ({ file: f.file, objects: [...f.objects] })),
      { schemasDir },
    ).map(formatProblem);
    expect(problems).toContain(
      "dist/test/ingester.yaml: PodDisruptionBudget/ingester: spec.selector: selects no pods: no pod template in namespace mimir matches component=nothing, so it protects nothing during evictions",
    );
  });
});
