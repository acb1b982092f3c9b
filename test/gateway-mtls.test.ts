// The gateway's mTLS listener (config security.mtls) on real nginx: the same renderNginxConf the
// ConfigMap uses, with certificates from a throwaway CA generated here with openssl. A client with a
// certificate signed by the CA gets through; without one (when required) or with one from another CA
// it is refused.

import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewaySchema } from "../src/config/gateway-schema.js";
import { renderNginxConf, type GatewayTls } from "../src/gateway/nginx-conf.js";
import { renderTokenMap } from "../src/gateway/token-map.js";
import { findNginx, freePort, isCi, makeTempDir, startNginx, startStubUpstream, testConfig, type RunningNginx, type StubUpstream } from "./helpers/nginx.js";

const nginxBin = findNginx();
if (!nginxBin && isCi()) throw new Error("nginx is required in CI for the gateway tests (apt-get install nginx, or set NGINX_BIN)");
const suite = nginxBin ? describe : describe.skip;

const TOKEN = "tok-mtls-000000000000000001";

interface Pki {
  readonly dir: string;
  file(name: string): string;
}

/** A throwaway CA, a server certificate for 127.0.0.1, a client certificate, and a client of another CA. */
function makePki(dir: string): Pki {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const ca = (name: string) => openssl("req", "-x509", ...ec, "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "1", "-subj", `/CN=${name}`);
  const leaf = (name: string, signer: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
    openssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${signer}.crt`, "-CAkey", `${signer}.key`, "-CAcreateserial", "-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`);
  };
  ca("monitoring-ca");
  ca("rogue-ca");
  leaf("server", "monitoring-ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  leaf("prometheus", "monitoring-ca", "extendedKeyUsage=clientAuth\n");
  leaf("intruder", "rogue-ca", "extendedKeyUsage=clientAuth\n");
  return { dir, file };
}

/** GET over TLS to 127.0.0.1:port, trusting the test CA, optionally presenting a client certificate. */
function httpsGet(port: number, path: string, pki: Pki, client?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "GET",
        ca: readFileSync(pki.file("monitoring-ca.crt")),
        cert: client ? readFileSync(pki.file(`${client}.crt`)) : undefined,
        key: client ? readFileSync(pki.file(`${client}.key`)) : undefined,
        headers: { authorization: `Bearer ${TOKEN}` },
        timeout: 5_000,
      },
      (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

suite("gateway mTLS on real nginx", () => {
  const bin = nginxBin!;
  let pki: Pki;
  let stub: StubUpstream;
  const running: RunningNginx[] = [];

  beforeAll(async () => {
    pki = makePki(await makeTempDir("gateway-mtls-pki-"));
    stub = await startStubUpstream("queryFrontend");
  });
  afterAll(async () => {
    await Promise.allSettled(running.map((nginx) => nginx.stop()));
    await stub?.close();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  async function start(verifyClient: GatewayTls["verifyClient"]): Promise<number> {
    const dir = await makeTempDir("gateway-mtls-");
    const tokenMap = join(dir, "tokens.map");
    writeFileSync(tokenMap, renderTokenMap({ [TOKEN]: "alpha" }));
    const [port, tlsPort] = [await freePort(), await freePort()];
    const conf = renderNginxConf({
      settings: gatewaySchema.parse({}),
      upstreams: { queryFrontend: `127.0.0.1:${stub.port}` },
      resolver: null,
      listen: { address: "127.0.0.1", port },
      paths: { tokenMap, runtimeDir: dir },
      tls: { port: tlsPort, address: "127.0.0.1", certificate: pki.file("server.crt"), key: pki.file("server.key"), clientCa: pki.file("monitoring-ca.crt"), verifyClient },
    });
    expect((await testConfig(bin, dir, (writeFileSync(join(dir, "t.conf"), conf), join(dir, "t.conf")))).ok).toBe(true);
    running.push(await startNginx(bin, { dir, conf, port }));
    return tlsPort;
  }

  describe("requireClientCertificates: true (ssl_verify_client on)", () => {
    let port: number;
    beforeAll(async () => {
      port = await start("on");
    });

    it("proxies a client presenting a certificate signed by monitoring-ca", async () => {
      const response = await httpsGet(port, "/prometheus/api/v1/query?query=up", pki, "prometheus");
      expect(response.status, response.body).toBe(200);
      expect(JSON.parse(response.body).headers["x-scope-orgid"]).toBe("alpha");
    });

    it("refuses a client without a certificate", async () => {
      const response = await httpsGet(port, "/prometheus/api/v1/query?query=up", pki);
      expect(response.status).toBe(400);
      expect(response.body).toContain("No required SSL certificate was sent");
    });

    it("refuses a client certificate from another CA", async () => {
      const response = await httpsGet(port, "/prometheus/api/v1/query?query=up", pki, "intruder");
      expect(response.status).toBe(400);
      expect(response.body).toContain("The SSL certificate error");
    });
  });

  describe("requireClientCertificates: false (ssl_verify_client optional)", () => {
    it("lets a client without a certificate through, but still refuses an invalid one", async () => {
      const port = await start("optional");
      expect((await httpsGet(port, "/prometheus/api/v1/query?query=up", pki)).status).toBe(200);
      expect((await httpsGet(port, "/prometheus/api/v1/query?query=up", pki, "intruder")).status).toBe(400);
    });
  });
});
