/**
 * The gateway's in-cluster clients (Prometheus remote write, the OpenTelemetry Collector's OTLP exporter,
 * Grafana's datasources) and mTLS: where the gateway serves TLS (config security.mtls, cloud environments)
 * every reference to it is its https port with a client certificate issued by `monitoring-ca`; where it
 * does not (local), plaintext as before. The server side (nginx with and without a client certificate) is
 * tested with real nginx in gateway-mtls.test.ts.
 */
import { load } from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { checkClientSecrets } from "../src/security/family.js";
import { synthesizeAll, type SynthOutcome } from "../src/synth/pipeline.js";
import { REPO_ROOT } from "./helpers/cli.js";
import { envObjects } from "./helpers/env-objects.js";

type Obj = Record<string, any>;
const CLOUD = ["dev", "prod", "dr"] as const;

let outcome: SynthOutcome;
beforeAll(() => {
  outcome = synthesizeAll({ root: REPO_ROOT, envs: ["local", ...CLOUD] });
});
const objects = (env: string) => structuredClone(envObjects(outcome, env)) as Obj[];

const podTemplateOf = (o: Obj): Obj | undefined => {
  const template = o.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
  return Array.isArray(template?.spec?.containers) ? template : undefined;
};

/** Every string in a value, with the object holding it. */
function walk(value: unknown, visit: (s: string, holder: Obj) => void, holder: Obj = {}): void {
  if (typeof value === "string") visit(value, holder);
  else if (Array.isArray(value)) value.forEach((v) => walk(v, visit, holder));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => walk(v, visit, value as Obj));
}

/** A client's use of the gateway: the URL, and where its certificate comes from. */
interface Use {
  readonly client: string;
  readonly url: string;
  /** Secret names of the client certificate, private key and CA (undefined: not presented). */
  readonly secrets: { readonly cert?: string; readonly key?: string; readonly ca?: string };
  readonly detail: string;
}

/** Every place a workload of the environment talks to the gateway, found from the gateway Service's name. */
function gatewayUses(all: Obj[]): Use[] {
  const service = all.find((o) => o.kind === "Service" && o.metadata.name === "gateway")!;
  const host = `${service.metadata.name}.${service.metadata.namespace}.svc`;
  const isGateway = (s: string) => /^[a-z]+:\/\//.test(s) && s.includes(host);
  const uses: Use[] = [];
  // Prometheus Operator objects: the operator mounts what tlsConfig names.
  for (const cr of all.filter((o) => o.kind === "Prometheus" || o.kind === "PrometheusAgent")) {
    for (const rw of cr.spec.remoteWrite ?? []) {
      if (!isGateway(rw.url)) continue;
      const tls = rw.tlsConfig ?? {};
      uses.push({ client: `prometheus-${cr.metadata.name}`, url: rw.url, secrets: { cert: tls.cert?.secret?.name, key: tls.keySecret?.name, ca: tls.ca?.secret?.name }, detail: `${cr.kind}/${cr.metadata.name}` });
    }
  }
  // Pods: files in mounted ConfigMaps naming the gateway; the TLS files they name must be in a mounted Secret.
  for (const workload of all) {
    const template = podTemplateOf(workload);
    if (!template) continue;
    const volumes: Obj[] = template.spec.volumes ?? [];
    const mounts: Obj[] = [...(template.spec.initContainers ?? []), ...template.spec.containers].flatMap((c: Obj) => c.volumeMounts ?? []);
    const secretOfFile = (path: string | undefined): string | undefined => {
      if (!path) return undefined;
      const mount = mounts.find((m) => m.readOnly === true && path.startsWith(`${m.mountPath}/`));
      const volume = volumes.find((v) => v.name === mount?.name);
      const key = path.slice((mount?.mountPath.length ?? 0) + 1);
      const mapped = volume?.secret?.items ? volume.secret.items.some((i: Obj) => i.path === key) : true;
      return volume?.secret?.secretName && mapped ? `${volume.secret.secretName}/${key}` : undefined;
    };
    for (const volume of volumes.filter((v) => v.configMap)) {
      const configMap = all.find((o) => o.kind === "ConfigMap" && o.metadata.name === volume.configMap.name && o.metadata.namespace === workload.metadata.namespace);
      for (const [file, text] of Object.entries((configMap?.data ?? {}) as Record<string, string>)) {
        let parsed: unknown;
        try {
          parsed = load(text);
        } catch {
          continue;
        }
        walk(parsed, (s, holder) => {
          if (!isGateway(s)) return;
          // OpenTelemetry Collector exporter (tls.*_file) or Grafana datasource (secureJsonData $__file{…}).
          const fromFile = (v: unknown) => (typeof v === "string" ? /^\$__file\{(.+)\}$/.exec(v)?.[1] : undefined);
          const grafanaTls = holder.jsonData?.tlsAuth === true && holder.jsonData?.tlsAuthWithCACert === true;
          const files = holder.tls
            ? { cert: holder.tls.cert_file, key: holder.tls.key_file, ca: holder.tls.ca_file }
            : grafanaTls
              ? { cert: fromFile(holder.secureJsonData?.tlsClientCert), key: fromFile(holder.secureJsonData?.tlsClientKey), ca: fromFile(holder.secureJsonData?.tlsCACert) }
              : {};
          uses.push({
            client: workload.metadata.name,
            url: s,
            secrets: { cert: secretOfFile(files.cert), key: secretOfFile(files.key), ca: secretOfFile(files.ca) },
            detail: `${workload.kind}/${workload.metadata.name} ${configMap!.metadata.name}/${file}`,
          });
        });
      }
    }
  }
  return uses;
}

describe.each(CLOUD)("mTLS clients of the gateway in %s", (env) => {
  it("every gateway client uses https on the gateway's TLS port with a client certificate issued by monitoring-ca", () => {
    const all = objects(env);
    const service = all.find((o) => o.kind === "Service" && o.metadata.name === "gateway")!;
    const httpsPort = (service.spec.ports as Obj[]).find((p) => p.name === "https")!.port;
    const server = all.find((o) => o.kind === "Certificate" && o.metadata.name === "gateway-server")!;
    expect(all.find((o) => o.kind === "ClusterIssuer" && o.metadata.name === "monitoring-ca")?.spec.ca).toBeDefined();
    const uses = gatewayUses(all);
    // Grafana everywhere; Prometheus and the OTel Collector where collection runs (not read-only dr).
    const expected = env === "dr" ? ["grafana"] : ["grafana", "otel-collector", "prometheus-platform"];
    expect([...new Set(uses.map((u) => u.client))].sort()).toEqual(expected);
    const issuedTo = new Map<string, Obj>();
    for (const use of uses) {
      const at = `${use.detail}: ${use.url}`;
      const url = /^(\w+):\/\/([^/:]+):(\d+)(\/.*)?$/.exec(use.url);
      expect(url?.[1], at).toBe("https");
      // The name the client verifies is one the gateway's certificate carries.
      expect(server.spec.dnsNames, at).toContain(url![2]);
      expect(Number(url![3]), at).toBe(httpsPort);
      const secretName = (ref: string | undefined) => ref?.split("/")[0];
      const name = secretName(use.secrets.cert);
      expect(name, `${at}: no client certificate`).toBeDefined();
      expect([secretName(use.secrets.key), secretName(use.secrets.ca)], at).toEqual([name, name]);
      // Mounted files are the right keys of the cert-manager Secret (Prometheus names them as keys itself).
      if (use.secrets.cert?.includes("/")) expect([use.secrets.cert, use.secrets.key, use.secrets.ca], at).toEqual([`${name}/tls.crt`, `${name}/tls.key`, `${name}/ca.crt`]);
      const certificate = all.find((o) => o.kind === "Certificate" && o.spec.secretName === name);
      expect(certificate, `${at}: no Certificate issues ${name}`).toBeDefined();
      expect(certificate!.spec.issuerRef).toEqual({ kind: "ClusterIssuer", name: "monitoring-ca", group: "cert-manager.io" });
      expect(certificate!.spec.usages, at).toContain("client auth");
      expect(certificate!.spec.commonName, at).toBe(use.client);
      issuedTo.set(certificate!.metadata.name, certificate!);
    }
    // Prometheus names the Secret in its tlsConfig (the operator mounts it); every key given explicitly.
    for (const cr of all.filter((o) => o.kind === "Prometheus" || o.kind === "PrometheusAgent")) {
      for (const rw of cr.spec.remoteWrite) {
        const name = `prometheus-${cr.metadata.name}-client-tls`;
        expect(rw.tlsConfig).toEqual({ ca: { secret: { name, key: "ca.crt" } }, cert: { secret: { name, key: "tls.crt" } }, keySecret: { name, key: "tls.key" } });
      }
    }
    // No client certificate without a client using it.
    const clientCertificates = all.filter((o) => o.kind === "Certificate" && o.spec.usages.includes("client auth")).map((o) => o.metadata.name);
    expect(clientCertificates.sort()).toEqual([...issuedTo.keys()].sort());
  });
});

describe("where mTLS is off (local)", () => {
  it("the gateway's clients use its plaintext http port, present no certificate and mount no client Secret", () => {
    const all = objects("local");
    const service = all.find((o) => o.kind === "Service" && o.metadata.name === "gateway")!;
    expect((service.spec.ports as Obj[]).map((p) => p.name)).not.toContain("https");
    const httpPort = (service.spec.ports as Obj[]).find((p) => p.name === "http")!.port;
    const uses = gatewayUses(all);
    expect([...new Set(uses.map((u) => u.client))].sort()).toEqual(["grafana", "otel-collector", "prometheus-platform"]);
    for (const use of uses) {
      expect(use.url, use.detail).toMatch(new RegExp(`^http://gateway\\.mimir\\.svc\\.cluster\\.local:${httpPort}(/|$)`));
      expect(use.secrets, use.detail).toEqual({ cert: undefined, key: undefined, ca: undefined });
    }
    expect(JSON.stringify(all)).not.toMatch(/client-tls|tlsConfig|tlsAuth/);
  });
});

describe("the client certificate guard", () => {
  it("refuses a workload that references a client certificate Secret nothing issues", () => {
    const pod = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { template: { spec: { volumes: [{ name: "tls", secret: { secretName: "renamed-client-tls" } }] } } } };
    expect(() => checkClientSecrets([pod], ["x-client-tls"])).toThrow(
      "security: workloads reference client certificate Secrets nothing issues: renamed-client-tls (issued for the gateway's TLS clients: x-client-tls)",
    );
    expect(() => checkClientSecrets([{ ...pod, spec: { template: { spec: { volumes: [{ name: "tls", secret: { secretName: "x-client-tls" } }] } } } }], ["x-client-tls"])).not.toThrow();
  });
});
