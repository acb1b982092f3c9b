import { IMAGES } from "../src/lib/images.js";
import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { gatewaySchema, type GatewaySettings } from "../src/config/gateway-schema.js";
import { parsePlatformConfig } from "../src/config/load.js";
import { DEV_ONLY_LABEL, Gateway, NGINX_UNPRIVILEGED_UID, type GatewayProps } from "../src/gateway/gateway.js";
import { nginxRate, renderNginxConf } from "../src/gateway/nginx-conf.js";
import { renderTokenMap, tokenMapTemplate } from "../src/gateway/token-map.js";

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: any; stringData?: any; [key: string]: any };

const UPSTREAMS = {
  distributor: "distributor-headless.mimir.svc.cluster.local:8080",
  queryFrontend: "query-frontend.mimir.svc.cluster.local:8080",
  ruler: "ruler.mimir.svc.cluster.local:8080",
  alertmanager: "alertmanager-headless.mimir.svc.cluster.local:8080",
};
const TENANTS = ["single", "team-payments", "team-search"];

const PROD_SETTINGS = {
  replicas: 3,
  rateLimits: { perTenant: { rate: 150, burst: 300 }, perClientIp: { rate: 0.5, burst: 10 } },
  concurrency: { perTenant: 250, perClientIp: 80 },
  tokens: [
    { tenant: "single", remoteKey: "observability/prod/gateway-tokens", property: "single" },
    { tenant: "team-payments", remoteKey: "observability/prod/gateway-tokens", property: "team-payments" },
    { tenant: "team-search", remoteKey: "observability/prod/gateway-token-search" },
  ],
};

function synth(settings: GatewaySettings, extra: Partial<GatewayProps> = {}): Manifest[] {
  const chart = new Chart(Testing.app(), "gateway", { namespace: "mimir", disableResourceNameHashes: true });
  new Gateway(chart, "gateway", {
    namespace: "mimir",
    instance: "mimir",
    settings,
    tenants: TENANTS,
    upstreams: UPSTREAMS,
    resolver: "kube-dns.kube-system.svc.cluster.local",
    trustedProxyCidrs: ["10.20.0.0/24"],
    secretStore: { kind: "ClusterSecretStore", name: "aws-secrets-manager" },
    ...extra,
  });
  return Testing.synth(chart) as Manifest[];
}

const find = (manifests: Manifest[], kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
  return found;
};

describe("Gateway construct (prod-like settings)", () => {
  const settings = gatewaySchema.parse(PROD_SETTINGS);
  const manifests = synth(settings);

  it("creates exactly the expected objects, with stable names, in the chart namespace", () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      [
        "ConfigMap/gateway-nginx",
        "Deployment/gateway",
        "ExternalSecret/gateway-tokens",
        "HorizontalPodAutoscaler/gateway",
        "PodDisruptionBudget/gateway",
        "Service/gateway",
        "ServiceAccount/gateway",
      ].sort(),
    );
    for (const manifest of manifests) expect(manifest.metadata.namespace).toBe("mimir");
    expect(find(manifests, "ServiceAccount", "gateway").automountServiceAccountToken).toBe(false);
  });

  it("runs nginx unprivileged with a read-only root filesystem and writable /tmp", () => {
    const deployment = find(manifests, "Deployment", "gateway");
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: NGINX_UNPRIVILEGED_UID,
      runAsGroup: NGINX_UNPRIVILEGED_UID,
      fsGroup: NGINX_UNPRIVILEGED_UID,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe("gateway");
    const [container, exporter, logMetrics] = pod.containers;
    expect(pod.containers.map((c: any) => c.name)).toEqual(["nginx", "exporter", "log-metrics"]);
    // Per-tenant metrics: nginx sends one line per request to mtail over a socket in the shared /tmp.
    const conf = find(manifests, "ConfigMap", "gateway-nginx").data["nginx.conf"];
    expect(conf).toContain("access_log syslog:server=unix:/tmp/gateway-metrics.sock,tag=gateway,nohostname gateway_metrics;");
    expect(logMetrics.args).toContain("--logs=unixgram:///tmp/gateway-metrics.sock");
    expect(logMetrics.ports).toEqual([{ name: "metrics", containerPort: 3903, protocol: "TCP" }]);
    expect(logMetrics.volumeMounts).toEqual(expect.arrayContaining([{ name: "tmp", mountPath: "/tmp" }]));
    expect(find(manifests, "ConfigMap", "gateway-nginx").data["gateway.mtail"]).toContain("counter gateway_requests_total by tenant, status, limited_by");
    expect(logMetrics.securityContext).toEqual(container.securityContext);
    expect(container.image).toBe(IMAGES.gateway);
    expect(IMAGES.gateway).toMatch(/:\d+\.\d+\.\d+-alpine$/);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true });
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
    // nginx has no Prometheus endpoint: the sidecar reads its loopback stub_status page.
    expect(exporter.args).toEqual(["--nginx.scrape-uri=http://127.0.0.1:8081/stub_status", "--web.listen-address=:9113"]);
    expect(exporter.ports).toEqual([{ name: "http-metrics", containerPort: 9113, protocol: "TCP" }]);
    expect(exporter.securityContext).toEqual(container.securityContext);
    expect(find(manifests, "ConfigMap", "gateway-nginx").data["nginx.conf"]).toContain("listen 127.0.0.1:8081;");
    expect(container.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } });

    const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m]));
    expect(mounts["/etc/nginx/nginx.conf"]).toMatchObject({ name: "config", subPath: "nginx.conf" });
    expect(mounts["/etc/nginx/tenants"]).toMatchObject({ name: "tokens", readOnly: true });
    expect(mounts["/tmp"]).toMatchObject({ name: "tmp" });
    expect(mounts["/docker-entrypoint.d"]).toMatchObject({ name: "entrypoint-scripts" });
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes.config.configMap).toMatchObject({ name: "gateway-nginx", items: [{ key: "nginx.conf", path: "nginx.conf" }] });
    expect(volumes.tokens.secret).toMatchObject({ secretName: "gateway-tokens", items: [{ key: "tokens.map", path: "tokens.map" }] });
    expect(volumes.tmp.emptyDir).toEqual({});
    expect(volumes["entrypoint-scripts"].emptyDir).toEqual({});
  });

  it("runs settings.replicas (>= 2) spread over hosts and zones, rolling on config changes", () => {
    const deployment = find(manifests, "Deployment", "gateway");
    // The HPA owns the count (minReplicas = settings.replicas); a fixed value would fight it on every sync.
    expect(deployment.spec.replicas).toBeUndefined();
    expect(find(manifests, "HorizontalPodAutoscaler", "gateway").spec.minReplicas).toBe(3);
    expect(gatewaySchema.parse({}).replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const template = deployment.spec.template;
    expect(template.spec.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
    expect(template.metadata.annotations["observability-platform/config-hash"]).toMatch(/^[0-9a-f]{16}$/);

    const changed = synth(gatewaySchema.parse({ ...PROD_SETTINGS, clientMaxBodySize: "32m" }));
    const changedHash = find(changed, "Deployment", "gateway").spec.template.metadata.annotations["observability-platform/config-hash"];
    expect(changedHash).not.toBe(template.metadata.annotations["observability-platform/config-hash"]);
  });

  it("exposes port 80 (http, nginx) and 9113 (http-metrics, the exporter) on the Service", () => {
    const svc = find(manifests, "Service", "gateway");
    expect(svc.spec.type).toBe("ClusterIP");
    expect(svc.spec.ports).toEqual([
      { name: "http", port: 80, protocol: "TCP", targetPort: "http" },
      { name: "http-metrics", port: 9113, protocol: "TCP", targetPort: "http-metrics" },
    ]);
    expect(svc.spec.selector).toEqual(find(manifests, "Deployment", "gateway").spec.selector.matchLabels);
  });

  it("has a PDB allowing one disruption and an HPA (default: replicas to 3x replicas at 75% CPU)", () => {
    expect(find(manifests, "PodDisruptionBudget", "gateway").spec).toMatchObject({ maxUnavailable: 1 });
    const hpa = find(manifests, "HorizontalPodAutoscaler", "gateway");
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "gateway" },
      minReplicas: 3,
      maxReplicas: 9,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 75 } } }],
    });
    const custom = synth(gatewaySchema.parse({ ...PROD_SETTINGS, autoscaling: { minReplicas: 4, maxReplicas: 12, targetMemoryUtilization: 80 } }));
    expect(find(custom, "HorizontalPodAutoscaler", "gateway").spec).toMatchObject({ minReplicas: 4, maxReplicas: 12 });
    expect(find(custom, "HorizontalPodAutoscaler", "gateway").spec.metrics).toHaveLength(2);
  });

  it("reads each token from the secret store through an ExternalSecret, never holding a value", () => {
    const es = find(manifests, "ExternalSecret", "gateway-tokens");
    expect(es.apiVersion).toBe("external-secrets.io/v1");
    expect(es.spec.refreshInterval).toBe("1h");
    expect(es.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "aws-secrets-manager" });
    expect(es.spec.data).toEqual([
      { secretKey: "token_0", remoteRef: { key: "observability/prod/gateway-tokens", property: "single" } },
      { secretKey: "token_1", remoteRef: { key: "observability/prod/gateway-tokens", property: "team-payments" } },
      { secretKey: "token_2", remoteRef: { key: "observability/prod/gateway-token-search" } },
    ]);
    expect(es.spec.target).toMatchObject({ name: "gateway-tokens", creationPolicy: "Owner" });
    const template = es.spec.target.template;
    expect(template).toMatchObject({ engineVersion: "v2", mergePolicy: "Replace", type: "Opaque" });
    expect(Object.keys(template.data)).toEqual(["tokens.map"]);
    const text: string = template.data["tokens.map"];
    // One map line per token, each value validated and de-duplicated before use.
    expect(text).toContain('"{{ $t0 }}" single;');
    expect(text).toContain('"{{ $t1 }}" team-payments;');
    expect(text).toContain('"{{ $t2 }}" team-search;');
    expect(text.match(/regexMatch/g)).toHaveLength(3);
    expect(text.match(/hasKey \$seen/g)).toHaveLength(3);
    expect(text).toContain('index . "token_2" | trim');
    // Balanced template actions.
    expect((text.match(/\{\{/g) ?? []).length).toBe((text.match(/\}\}/g) ?? []).length);

    const SecretStore = synth(settings, { secretStore: { kind: "SecretStore", name: "local-store" } });
    expect(find(SecretStore, "ExternalSecret", "gateway-tokens").spec.secretStoreRef).toEqual({ kind: "SecretStore", name: "local-store" });
    // No Secret with literal data anywhere.
    expect(manifests.some((m) => m.kind === "Secret")).toBe(false);
  });

  it("renders the configured limits and the upstreams into nginx.conf", () => {
    const conf: string = find(manifests, "ConfigMap", "gateway-nginx").data["nginx.conf"];
    expect(conf).toContain("limit_req_zone $gateway_req_tenant_key zone=req_per_tenant:1m rate=150r/s;");
    expect(conf).toContain("limit_req_zone $binary_remote_addr zone=req_per_client_ip:10m rate=30r/m;");
    expect(conf).toContain("limit_req zone=req_per_tenant burst=300 nodelay;");
    expect(conf).toContain("limit_req zone=req_per_client_ip burst=10 nodelay;");
    expect(conf).toContain("limit_conn conn_per_tenant 250;");
    expect(conf).toContain("limit_conn conn_per_client_ip 80;");
    expect(conf).toContain("set_real_ip_from 10.20.0.0/24;");
    expect(conf).toContain("resolver kube-dns.kube-system.svc.cluster.local valid=10s ipv6=off;");
    expect(conf).toContain("set $upstream_distributor http://distributor-headless.mimir.svc.cluster.local:8080;");
    expect(conf).toContain("include /etc/nginx/tenants/tokens.map;");
    expect(conf).toContain("listen 8080 default_server;");
    expect(conf).toContain("pid /tmp/nginx.pid;");
    expect(conf).not.toMatch(/^\s*user\s/m);
  });
});

describe("Gateway construct (local, DEV ONLY tokens)", () => {
  const devTokens = { "dev-token-single-0000000001": "single", "dev-token-team-demo-00000001": "team-payments" };
  const settings = gatewaySchema.parse({ replicas: 1, devOnlyTokens: devTokens });
  const manifests = synth(settings, { secretStore: undefined });

  it("writes a plain Secret marked DEV ONLY instead of an ExternalSecret", () => {
    const secret = find(manifests, "Secret", "gateway-tokens");
    expect(secret.metadata.labels?.[DEV_ONLY_LABEL]).toBe("true");
    expect(secret.metadata.annotations?.[DEV_ONLY_LABEL]).toMatch(/^DEV ONLY/);
    expect(secret.stringData["tokens.map"]).toBe(renderTokenMap(devTokens));
    expect(secret.stringData["tokens.map"]).toContain('"dev-token-single-0000000001" single;');
    expect(manifests.some((m) => m.kind === "ExternalSecret")).toBe(false);
  });

  it("requires a secret store without dev tokens", () => {
    expect(() => synth(gatewaySchema.parse(PROD_SETTINGS), { secretStore: undefined })).toThrow(/secretStore is required|a secretStore is required/);
  });

  it("refuses tokens for unknown tenants", () => {
    expect(() => synth(gatewaySchema.parse({ tokens: [{ tenant: "ghost", remoteKey: "k" }] }))).toThrow(/unknown|not a known tenant/);
  });
});

describe("nginx.conf generator", () => {
  const settings = gatewaySchema.parse({});
  const options = { settings, upstreams: UPSTREAMS, resolver: "kube-dns.kube-system.svc.cluster.local" };

  it("is deterministic and uses the documented defaults", () => {
    const conf = renderNginxConf(options);
    expect(renderNginxConf(options)).toBe(conf);
    expect(conf).toContain("rate=120r/s;");
    expect(conf).toContain("rate=60r/s;");
    expect(conf).toContain("client_max_body_size 64m;");
    expect(conf).toContain("proxy_read_timeout 300s;");
    expect(conf).toContain("worker_processes 2;");
    expect(conf).toContain("No trusted proxies");
  });

  it("converts rates to nginx syntax", () => {
    expect(nginxRate(120)).toBe("120r/s");
    expect(nginxRate(0.5)).toBe("30r/m");
    expect(() => nginxRate(0.01)).toThrow();
    expect(() => nginxRate(0)).toThrow();
  });

  it("rejects values that could inject nginx directives", () => {
    expect(() => renderNginxConf({ ...options, upstreams: { ...UPSTREAMS, ruler: "ruler:8080; include /etc/passwd" } })).toThrow(/host:port/);
    expect(() => renderNginxConf({ ...options, resolver: "1.1.1.1; foo" })).toThrow(/resolver/);
    expect(() => renderNginxConf({ ...options, paths: { tokenMap: "/x y" } })).toThrow(/absolute path/);
    expect(() => renderNginxConf({ ...options, resolver: null })).toThrow(/resolver is required/);
  });

  it("refuses invalid or case-duplicate plaintext tokens without echoing them", () => {
    expect(() => renderTokenMap({ "short": "single" })).toThrow(/not a valid bearer token/);
    expect(() => renderTokenMap({ '"quoted-token-0000000"': "single" })).toThrow(/not a valid bearer token/);
    expect(() => renderTokenMap({ "Abcdefghijklmnop1": "single", "abcdefghijklmnop1": "single" })).toThrow(/letter case/);
    try {
      renderTokenMap({ "~secret-leading-tilde-1": "single" });
    } catch (error) {
      expect((error as Error).message).not.toContain("secret-leading-tilde");
    }
    expect(tokenMapTemplate([])).not.toContain("$t0");
  });
});

describe("gateway config validation (parsePlatformConfig)", () => {
  const FILE = "overlays/prod/config.yaml";
  const base = [
    "project: acme",
    "baseDomain: obs.example.com",
    "onCallEmail: oncall@example.com",
    "secretStore: { name: aws-secrets-manager }",
    "tenants: [{ id: single }]",
  ].join("\n");
  const problems = (gateway: string) => parsePlatformConfig(`${base}\ngateway:\n${gateway}\n`, FILE, "prod").problems;

  it("accepts a minimal config with gateway defaults", () => {
    const result = parsePlatformConfig(`${base}\ngateway: { tokens: [{ tenant: single, remoteKey: k }] }`, FILE, "prod");
    expect(result.problems).toEqual([]);
    expect(result.config?.gateway).toMatchObject({ enabled: true, replicas: 2, rateLimits: { perTenant: { rate: 120 }, perClientIp: { rate: 60 } } });
  });

  it("rejects a rate <= 0 at gateway.rateLimits.perTenant.rate", () => {
    const found = problems("  rateLimits: { perTenant: { rate: 0, burst: 10 } }");
    expect(found).toContainEqual(expect.objectContaining({ file: FILE, path: "gateway.rateLimits.perTenant.rate" }));
    expect(problems("  rateLimits: { perClientIp: { rate: 0.013, burst: 1 } }")).toContainEqual(
      expect.objectContaining({ path: "gateway.rateLimits.perClientIp.rate", message: expect.stringContaining("per minute") }),
    );
  });

  it("rejects a token for an unknown tenant at gateway.tokens[0].tenant", () => {
    const found = problems("  tokens: [{ tenant: nobody, remoteKey: observability/prod/gateway-tokens, property: nobody }]");
    expect(found).toContainEqual(expect.objectContaining({ file: FILE, path: "gateway.tokens[0].tenant", message: expect.stringContaining("unknown tenant") }));
  });

  it("requires at least one token reference outside the local environment", () => {
    expect(problems("  replicas: 2")).toContainEqual(
      expect.objectContaining({ file: FILE, path: "gateway.tokens", message: expect.stringContaining("at least one token reference is required") }),
    );
  });

  it("refuses trustedProxyCidrs in config.yaml: only the Terraform load balancer subnets are trusted", () => {
    expect(problems(`  trustedProxyCidrs: ["10.0.0.0/8"]`)).toContainEqual(
      expect.objectContaining({ path: "gateway.trustedProxyCidrs", message: expect.stringContaining("load_balancer_subnet_cidrs") }),
    );
  });

  it("rejects two token entries pointing at the same secret, and min > max autoscaling", () => {
    expect(problems("  tokens: [{ tenant: single, remoteKey: a, property: p }, { tenant: single, remoteKey: a, property: p }]")).toContainEqual(
      expect.objectContaining({ path: "gateway.tokens[1]" }),
    );
    expect(problems("  autoscaling: { minReplicas: 5, maxReplicas: 2 }")).toContainEqual(expect.objectContaining({ path: "gateway.autoscaling.minReplicas" }));
  });

  it("rejects plaintext devOnlyTokens outside the local environment", () => {
    expect(problems("  devOnlyTokens: { dev-token-single-0000000001: single }")).toContainEqual(expect.objectContaining({ path: "gateway.devOnlyTokens" }));
  });
});
