// The gateway's nginx.conf, exercised with the real nginx binary: the same renderNginxConf the
// ConfigMap uses, adapted only in listen port, resolver (none: loopback IP upstreams), token map
// path and pid/temp directory. Upstreams are stub HTTP servers echoing what they received.

import { spawn } from "node:child_process";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewaySchema, type GatewaySettings } from "../src/config/gateway-schema.js";
import { GATEWAY_ROUTES, LIMIT_NAMES, PRODUCTION_PATHS, renderNginxConf, type GatewayUpstreams } from "../src/gateway/nginx-conf.js";
import { renderTokenMap } from "../src/gateway/token-map.js";
import { LOG_METRICS_SOCKET, mtailProgram } from "../src/gateway/log-metrics.js";
import { tokenReloaderScript } from "../src/gateway/token-reloader.js";
import {
  findExecutable,
  findNginx,
  freePort,
  httpRequest,
  isCi,
  makeTempDir,
  nginxVersion,
  startNginx,
  startStubUpstream,
  testConfig,
  waitUntil,
  type HttpResponse,
  type RunningNginx,
  type StubEcho,
  type StubUpstream,
} from "./helpers/nginx.js";

const nginxBin = findNginx();
if (!nginxBin && isCi()) {
  throw new Error("nginx is required in CI for the gateway tests (apt-get install nginx, or set NGINX_BIN)");
}
if (!nginxBin) {
  console.warn("\n  ⚠ gateway nginx tests SKIPPED: no nginx binary found (apt-get install nginx, or set NGINX_BIN)\n");
}
const suite = nginxBin ? describe : describe.skip;

const TOKENS: Record<string, string> = {
  "tok-alpha-0000000000000001": "alpha",
  "tok-beta-00000000000000001": "beta",
  "tok-gamma-0000000000000001": "gamma",
  "tok-delta-0000000000000001": "delta",
  "tok-epsilon-00000000000001": "epsilon",
  "Tok-Zeta-MixedCase+/0000001==": "zeta",
};
const tokenOf = (tenant: string) => Object.keys(TOKENS).find((token) => TOKENS[token] === tenant)!;
const bearer = (tenant: string) => ({ authorization: `Bearer ${tokenOf(tenant)}` });
/** Distinct client IPs via X-Forwarded-For (127.0.0.0/8 is the trusted proxy range in these tests). */
const from = (ip: string) => ({ "x-forwarded-for": ip });

const GENEROUS: Pick<GatewaySettings, "rateLimits" | "concurrency"> = {
  rateLimits: { perTenant: { rate: 1000, burst: 1000 }, perClientIp: { rate: 1000, burst: 1000 } },
  concurrency: { perTenant: 100, perClientIp: 100 },
};

interface Gateway {
  readonly nginx: RunningNginx;
  get(path: string, headers?: Record<string, string>): Promise<HttpResponse>;
}

suite("gateway nginx.conf on real nginx", () => {
  const bin = nginxBin!;
  const stubs: StubUpstream[] = [];
  const gateways: RunningNginx[] = [];
  let upstreams: GatewayUpstreams;

  beforeAll(async () => {
    console.info(`  gateway tests use ${await nginxVersion(bin)} (${bin})`);
    for (const name of ["distributor", "queryFrontend", "ruler", "alertmanager"] as const) stubs.push(await startStubUpstream(name));
    const at = (name: string) => `127.0.0.1:${stubs.find((stub) => stub.name === name)!.port}`;
    upstreams = { distributor: at("distributor"), queryFrontend: at("queryFrontend"), ruler: at("ruler"), alertmanager: at("alertmanager") };
  });

  afterAll(async () => {
    await Promise.allSettled(gateways.map((gateway) => gateway.stop()));
    await Promise.allSettled(stubs.map((stub) => stub.close()));
  });

  /** Renders the config for loopback, writes a token map and starts nginx. */
  async function startGateway(overrides: Record<string, unknown>, statusPort?: number, metricsSocket?: string): Promise<Gateway> {
    const dir = await makeTempDir("gateway-nginx-");
    const tokenMap = join(dir, "tokens.map");
    await writeFile(tokenMap, renderTokenMap(TOKENS));
    const port = await freePort();
    const settings = gatewaySchema.parse({ ...overrides });
    const conf = renderNginxConf({
      settings,
      upstreams,
      trustedProxyCidrs: ["127.0.0.0/8"],
      resolver: null,
      listen: { address: "127.0.0.1", port },
      paths: { tokenMap, runtimeDir: dir },
      statusPort,
      metricsSocket,
    });
    const nginx = await startNginx(bin, { dir, conf, port });
    gateways.push(nginx);
    return { nginx, get: (path, headers = {}) => httpRequest(port, path, { headers }) };
  }

  const echo = (response: HttpResponse): StubEcho => {
    expect(response.status, response.body).toBe(200);
    return JSON.parse(response.body) as StubEcho;
  };

  describe("configuration", () => {
    it("passes nginx -t for the loopback test adaptation and a production-shaped config", async () => {
      const dir = await makeTempDir("gateway-nginx-t-");
      try {
        const tokenMap = join(dir, "tokens.map");
        await writeFile(tokenMap, renderTokenMap(TOKENS));
        const settings = gatewaySchema.parse({});
        const trustedProxyCidrs = ["10.0.0.0/8", "fd00::/8"];
        const variants = {
          loopback: renderNginxConf({ settings, upstreams, trustedProxyCidrs, resolver: null, listen: { port: 18080 }, paths: { tokenMap, runtimeDir: dir } }),
          // Production paths and DNS names; only the resolver (must resolve here) and the files differ.
          production: renderNginxConf({
            settings,
            trustedProxyCidrs,
            upstreams: {
              distributor: "distributor-headless.mimir.svc.cluster.local:8080",
              queryFrontend: "query-frontend.mimir.svc.cluster.local:8080",
              ruler: "ruler.mimir.svc.cluster.local:8080",
              alertmanager: "alertmanager-headless.mimir.svc.cluster.local:8080",
            },
            resolver: "127.0.0.1",
            paths: { tokenMap, runtimeDir: dir },
          }),
        };
        for (const [name, conf] of Object.entries(variants)) {
          const file = join(dir, `${name}.conf`);
          await writeFile(file, conf);
          const result = await testConfig(bin, dir, file);
          expect(result.ok, `${name}: ${result.output}`).toBe(true);
        }
        expect(variants.production).toContain(`include ${tokenMap};`);
        expect(PRODUCTION_PATHS.tokenMap).toBe("/etc/nginx/tenants/tokens.map");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("fails nginx -t when the token map has tokens differing only in case (why the template refuses them)", async () => {
      const dir = await makeTempDir("gateway-nginx-dup-");
      try {
        const tokenMap = join(dir, "tokens.map");
        await writeFile(tokenMap, '"Tok-Alpha-0000000000000001" alpha;\n"tok-alpha-0000000000000001" beta;\n');
        const file = join(dir, "nginx.conf");
        await writeFile(file, renderNginxConf({ settings: gatewaySchema.parse({}), upstreams, resolver: null, listen: { port: 18080 }, paths: { tokenMap, runtimeDir: dir } }));
        const result = await testConfig(bin, dir, file);
        expect(result.ok).toBe(false);
        expect(result.output).toMatch(/conflicting parameter/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("authentication, headers and routing", () => {
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway({ ...GENEROUS, clientMaxBodySize: "16k" });
    });

    it("answers /ready without a token", async () => {
      const response = await gw.get("/ready");
      expect(response.status).toBe(200);
      expect(response.body.trim()).toBe("ready");
    });

    it("rejects a request without a token with 401 JSON and WWW-Authenticate", async () => {
      const response = await gw.get("/prometheus/api/v1/query?query=up");
      expect(response.status).toBe(401);
      expect(response.headers["content-type"]).toMatch(/^application\/json/);
      expect(response.headers["www-authenticate"]).toBe('Bearer realm="mimir"');
      expect(JSON.parse(response.body)).toEqual({ error: "unauthorized", message: expect.stringContaining("missing bearer token") });
    });

    it("rejects unknown tokens, other schemes and malformed headers with 401", async () => {
      for (const authorization of ["Bearer not-a-known-token-000000", "Basic dXNlcjpwYXNz", `Bearer ${tokenOf("alpha")} extra`, "Bearer", tokenOf("alpha")]) {
        const response = await gw.get("/api/v1/push", { authorization });
        expect(response.status, authorization).toBe(401);
        expect(JSON.parse(response.body).error).toBe("unauthorized");
        expect(response.headers["www-authenticate"]).toBe('Bearer realm="mimir", error="invalid_token"');
      }
    });

    it("accepts the bearer scheme in any letter case", async () => {
      const response = await gw.get("/api/v1/push", { authorization: `bearer ${tokenOf("beta")}` });
      expect(echo(response).headers["x-scope-orgid"]).toBe("beta");
    });

    it("sets X-Scope-OrgID from the token, ignoring a client-supplied one, and drops Authorization", async () => {
      const response = await gw.get("/prometheus/api/v1/query?query=up", { ...bearer("alpha"), "X-Scope-OrgID": "beta|gamma", "x-request-id": "client-chosen" });
      const seen = echo(response);
      expect(seen.headers["x-scope-orgid"]).toBe("alpha");
      expect(seen.headers.authorization).toBeUndefined();
      expect(seen.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
      expect(response.headers["x-request-id"]).toBe(seen.headers["x-request-id"]);
      expect(seen.url).toBe("/prometheus/api/v1/query?query=up");
    });

    it("routes every public path to its Mimir component", async () => {
      const cases: Array<[string, string, keyof GatewayUpstreams]> = [
        ["POST", "/api/v1/push", "distributor"],
        ["POST", "/otlp/v1/metrics", "distributor"],
        ["GET", "/prometheus/config/v1/rules", "ruler"],
        ["POST", "/prometheus/config/v1/rules/my-namespace", "ruler"],
        ["GET", "/prometheus/api/v1/rules?type=alert", "ruler"],
        ["GET", "/prometheus/api/v1/alerts", "ruler"],
        ["GET", "/prometheus/api/v1/query_range?query=up&start=0&end=60&step=15", "queryFrontend"],
        ["GET", "/prometheus/api/v1/labels", "queryFrontend"],
        ["GET", "/alertmanager/api/v2/alerts", "alertmanager"],
        ["GET", "/api/v1/alerts", "alertmanager"],
        ["GET", "/multitenant_alertmanager/status", "alertmanager"],
      ];
      // Every route in the generator is covered here.
      for (const route of GATEWAY_ROUTES) {
        const covered = cases.some(([, path]) => (route.match === "=" ? path === route.path : path.startsWith(route.path)));
        expect(covered, route.path).toBe(true);
      }
      for (const [method, path, upstream] of cases) {
        const seen = echo(await httpRequest(gw.nginx.port, path, { method, headers: bearer("gamma"), ...(method === "POST" ? { body: "x" } : {}) }));
        expect({ path, upstream: seen.upstream, url: seen.url, method: seen.method }).toEqual({ path, upstream, url: path, method });
        expect(seen.headers["x-scope-orgid"]).toBe("gamma");
      }
    });

    it("answers unknown paths with 404 JSON", async () => {
      for (const path of ["/", "/api/v1/push/extra", "/distributor/all_user_stats", "/api/v1/alertsx", "/otlp/v1/logs"]) {
        const response = await gw.get(path, bearer("alpha"));
        expect(response.status, path).toBe(404);
        expect(JSON.parse(response.body).error).toBe("not_found");
      }
    });

    it("answers bodies over clientMaxBodySize with 413 JSON", async () => {
      const response = await httpRequest(gw.nginx.port, "/api/v1/push", { method: "POST", headers: bearer("alpha"), body: "x".repeat(20 * 1024) });
      expect(response.status).toBe(413);
      expect(JSON.parse(response.body).error).toBe("payload_too_large");
    });

    it("takes the client IP from X-Forwarded-For only through trusted proxies", async () => {
      // The peer is 127.0.0.1 (trusted), so the right-most untrusted address is the client.
      await gw.get("/prometheus/api/v1/metadata", { ...bearer("epsilon"), "x-forwarded-for": "198.51.100.99, 10.1.2.3" });
      const line = await gw.nginx.waitForLogLine((text) => text.includes('"/prometheus/api/v1/metadata"'));
      expect(JSON.parse(line).client_ip).toBe("10.1.2.3");
    });

    it("writes one JSON access-log line per request, carrying the tenant and the real client IP", async () => {
      await gw.get("/prometheus/api/v1/series?match[]=up", { ...bearer("delta"), ...from("192.0.2.44") });
      const line = await gw.nginx.waitForLogLine((text) => text.includes('"/prometheus/api/v1/series"'));
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toMatchObject({
        tenant: "delta",
        client_ip: "192.0.2.44",
        method: "GET",
        path: "/prometheus/api/v1/series",
        status: 200,
        limited_by: "",
      });
      expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
      expect(typeof entry.bytes_sent).toBe("number");
      expect(typeof entry.request_time).toBe("number");
      expect(entry.upstream_response_time).toMatch(/^\d+\.\d+$/);
      expect(entry.request_id).toMatch(/^[0-9a-f]{32}$/);
      // Every line is JSON, none carries a token, /ready is not logged.
      for (const text of gw.nginx.accessLog()) {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        expect(parsed.path).not.toBe("/ready");
        for (const token of Object.keys(TOKENS)) expect(text).not.toContain(token);
      }
    });
  });

  describe("per-tenant metrics through the log-metrics sidecar (real mtail)", () => {
    const mtailBin = findExecutable("mtail", "MTAIL_BIN");
    if (!mtailBin && isCi()) throw new Error("mtail is required in CI for the gateway metrics test (apt-get install mtail)");
    const withMtail = mtailBin ? it : it.skip;
    if (!mtailBin) console.warn("\n  ⚠ gateway log-metrics test SKIPPED: no mtail binary (apt-get install mtail)\n");

    withMtail("counts requests by tenant, status and the limit that rejected them", async () => {
      const dir = await makeTempDir("gateway-mtail-");
      await mkdir(join(dir, "progs"));
      await writeFile(join(dir, "progs", "gateway.mtail"), mtailProgram());
      const socket = join(dir, LOG_METRICS_SOCKET);
      const port = await freePort();
      const mtail = spawn(mtailBin!, [`--progs=${join(dir, "progs")}`, `--logs=unixgram://${socket}`, `--port=${port}`, "--address=127.0.0.1", "--logtostderr"], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let mtailLog = "";
      mtail.stderr.on("data", (chunk) => (mtailLog += String(chunk)));
      try {
        await waitUntil(() => `mtail to serve /metrics; its log:\n${mtailLog}`, 5000, async () => (await httpRequest(port, "/metrics", {}).catch(() => ({ status: 0 }))).status === 200);
        // Here nginx's master runs as root and its workers as another user, so open the socket mtail
        // created to them; in the pod both containers run as the same non-root user.
        await chmod(socket, 0o777);
        const gateway = await startGateway({ ...GENEROUS, rateLimits: { perTenant: { rate: 1, burst: 1 }, perClientIp: { rate: 1000, burst: 1000 } } }, undefined, socket);
        expect((await gateway.get("/prometheus/api/v1/query", bearer("alpha"))).status).toBe(200);
        expect((await gateway.get("/prometheus/api/v1/query", bearer("alpha"))).status).toBe(200);
        expect((await gateway.get("/prometheus/api/v1/query", bearer("alpha"))).status).toBe(429);
        expect((await gateway.get("/prometheus/api/v1/query", bearer("beta"))).status).toBe(200);
        expect((await gateway.get("/prometheus/api/v1/query", { authorization: "Bearer not-a-known-token-000" })).status).toBe(401);
        const line = (labels: string) => new RegExp(`^gateway_requests_total\\{${labels}\\} (\\d+)$`, "m");
        let metrics = "";
        await waitUntil(() => `the 401 and 429 counters; mtail log:\n${mtailLog}\nmetrics:\n${metrics}`, 5000, async () => {
          metrics = (await httpRequest(port, "/metrics", {})).body;
          return /status="401"/.test(metrics) && /status="429"/.test(metrics);
        });
        expect(metrics).toMatch(line('limited_by="",prog="gateway.mtail",status="200",tenant="alpha"'));
        expect(metrics.match(line('limited_by="",prog="gateway.mtail",status="200",tenant="alpha"'))![1]).toBe("2");
        expect(metrics.match(line('limited_by="per_tenant",prog="gateway.mtail",status="429",tenant="alpha"'))![1]).toBe("1");
        expect(metrics.match(line('limited_by="",prog="gateway.mtail",status="200",tenant="beta"'))![1]).toBe("1");
        expect(metrics.match(line('limited_by="",prog="gateway.mtail",status="401",tenant=""'))![1]).toBe("1");
        expect(metrics).toMatch(/^gateway_request_duration_seconds_count\{prog="gateway.mtail",tenant="alpha"\} 3$/m);
      } finally {
        mtail.kill("SIGTERM");
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("metrics for the exporter sidecar", () => {
    it("serves stub_status on the loopback status port only, not on the public listener", async () => {
      const statusPort = await freePort();
      const gateway = await startGateway({}, statusPort);
      const status = await httpRequest(statusPort, "/stub_status", {});
      expect(status.status).toBe(200);
      expect(status.body).toMatch(/^Active connections: \d+/);
      expect(status.body).toMatch(/server accepts handled requests/);
      expect((await gateway.get("/stub_status")).status).toBe(404);
    });
  });

  describe("request-rate limits", () => {
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway({
        rateLimits: { perTenant: { rate: 1, burst: 2 }, perClientIp: { rate: 1, burst: 3 } },
        concurrency: GENEROUS.concurrency,
      });
    });

    it("answers 429 naming per_tenant once a tenant's burst is used, whatever the client IPs", async () => {
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => gw.get("/api/v1/push", { ...bearer("alpha"), ...from(`203.0.113.${i + 1}`) })),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.every((status) => status === 200 || status === 429), statuses.join()).toBe(true);
      // burst 2 at 1 r/s: 3 pass at once (a 4th if a second elapses); the rest are rejected.
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(3);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
      for (const response of responses.filter((r) => r.status === 429)) {
        expect(JSON.parse(response.body)).toEqual({ error: "rate_limited", limit: LIMIT_NAMES.perTenant, message: expect.any(String) });
        expect(response.headers["retry-after"]).toBe("1");
      }
      const logged = await gw.nginx.waitForLogLine((line) => line.includes('"limited_by":"per_tenant"'));
      expect(JSON.parse(logged)).toMatchObject({ tenant: "alpha", status: 429 });
    });

    it("answers 429 naming per_client_ip when one client IP exceeds its burst across tenants", async () => {
      // Three requests per tenant never exceed a tenant's burst (2 + 1); only the IP limit can fire.
      const tenants = ["beta", "gamma", "delta", "epsilon"];
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => gw.get("/prometheus/api/v1/query?query=up", { ...bearer(tenants[i % 4]!), ...from("198.51.100.7") })),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.every((status) => status === 200 || status === 429), statuses.join()).toBe(true);
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(4);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(6);
      for (const response of responses.filter((r) => r.status === 429)) {
        expect(JSON.parse(response.body)).toMatchObject({ error: "rate_limited", limit: LIMIT_NAMES.perClientIp });
      }
      // Another client IP is unaffected.
      expect((await gw.get("/prometheus/api/v1/query?query=up", { ...bearer("zeta"), ...from("198.51.100.8") })).status).toBe(200);
    });
  });

  describe("concurrency limits", () => {
    let gw: Gateway;
    beforeAll(async () => {
      gw = await startGateway({ rateLimits: GENEROUS.rateLimits, concurrency: { perTenant: 2, perClientIp: 2 } });
    });
    // Held open for a second: all four requests are in flight together even on a loaded machine.
    const slow = { "x-stub-delay-ms": "1000" };

    it("answers 429 naming concurrency_per_tenant beyond a tenant's open requests", async () => {
      const responses = await Promise.all(
        Array.from({ length: 4 }, (_, i) => gw.get("/prometheus/api/v1/query?query=up", { ...bearer("alpha"), ...slow, ...from(`203.0.113.${50 + i}`) })),
      );
      const limited = responses.filter((response) => response.status === 429);
      expect(responses.filter((response) => response.status === 200)).toHaveLength(2);
      expect(limited).toHaveLength(2);
      for (const response of limited) expect(JSON.parse(response.body).limit).toBe(LIMIT_NAMES.concurrencyPerTenant);
    });

    it("answers 429 naming concurrency_per_client_ip beyond one client IP's open requests", async () => {
      const tenants = ["beta", "gamma", "delta", "epsilon"];
      const responses = await Promise.all(
        tenants.map((tenant) => gw.get("/prometheus/api/v1/query?query=up", { ...bearer(tenant), ...slow, ...from("198.51.100.20") })),
      );
      const limited = responses.filter((response) => response.status === 429);
      expect(responses.filter((response) => response.status === 200)).toHaveLength(2);
      expect(limited).toHaveLength(2);
      for (const response of limited) expect(JSON.parse(response.body).limit).toBe(LIMIT_NAMES.concurrencyPerClientIp);
    });
  });

  describe("token rotation (the container's reloading supervisor)", () => {
    it("picks up a changed token map without restarting nginx, and keeps running on a broken one", async () => {
      const dir = await makeTempDir("gateway-reload-");
      const tokenMap = join(dir, "tokens.map");
      const port = await freePort();
      await writeFile(tokenMap, renderTokenMap({ "tok-rotate-old-000000001": "alpha" }));
      const conf = renderNginxConf({
        settings: gatewaySchema.parse({ ...GENEROUS }),
        upstreams,
        resolver: null,
        listen: { address: "127.0.0.1", port },
        paths: { tokenMap, runtimeDir: dir, accessLog: join(dir, "access.log"), errorLog: join(dir, "error.log") },
      });
      await writeFile(join(dir, "nginx.conf"), conf);
      const script = tokenReloaderScript({ nginx: `${bin} -p ${dir} -c ${dir}/nginx.conf -e ${dir}/error.log`, tokenMap, intervalSeconds: 1 });
      const supervisor = spawn("/bin/sh", ["-c", script], { stdio: ["ignore", "ignore", "pipe"] });
      let log = "";
      supervisor.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
      const get = (token: string) => httpRequest(port, "/prometheus/api/v1/query?query=up", { headers: { authorization: `Bearer ${token}` }, timeoutMs: 1000 });
      const until = async (what: string, check: () => Promise<boolean>) => {
        const deadline = Date.now() + 8000;
        while (!(await check().catch(() => false))) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; supervisor log: ${log}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      let masterPid = "";
      try {
        await until("nginx to start", async () => (await httpRequest(port, "/ready", { timeoutMs: 500 })).status === 200);
        masterPid = (await readFile(join(dir, "nginx.pid"), "utf8")).trim();
        expect((await get("tok-rotate-old-000000001")).status).toBe(200);
        expect((await get("tok-rotate-new-000000001")).status).toBe(401);

        // Rotate: the new token replaces the old one, as a refreshed Secret would.
        await writeFile(tokenMap, renderTokenMap({ "tok-rotate-new-000000001": "alpha" }));
        await until("the new token to be accepted", async () => (await get("tok-rotate-new-000000001")).status === 200);
        expect(JSON.parse((await get("tok-rotate-new-000000001")).body).headers["x-scope-orgid"]).toBe("alpha");
        await until("the old token to be refused", async () => (await get("tok-rotate-old-000000001")).status === 401);
        expect((await readFile(join(dir, "nginx.pid"), "utf8")).trim()).toBe(masterPid);
        expect(log).toContain("token map changed; nginx reloaded");

        // A map nginx refuses (duplicate keys) leaves the running configuration in place.
        await writeFile(tokenMap, '"tok-dup-0000000000000001" alpha;\n"tok-dup-0000000000000001" beta;\n');
        await until("the rejected map to be noticed", async () => log.includes("fails nginx -t"));
        expect((await get("tok-rotate-new-000000001")).status).toBe(200);

        // SIGTERM (what Kubernetes sends) ends nginx gracefully and the supervisor with it.
        const exited = new Promise<number | null>((resolve) => supervisor.once("exit", (code) => resolve(code)));
        supervisor.kill("SIGTERM");
        const code = await Promise.race([exited, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 5000))]);
        expect(code).toBe(0);
      } finally {
        if (supervisor.exitCode === null) supervisor.kill("SIGKILL");
        // Signal the master directly: `nginx -s stop` would need the (possibly broken) config to parse.
        if (masterPid) {
          try {
            process.kill(Number(masterPid), "SIGTERM"); // fast shutdown: the master stops its workers too
          } catch {
            // already gone
          }
        }
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
