// Runs the real nginx binary against generated configs, plus stub HTTP upstreams, for the
// gateway tests. Every wait is bounded and every process started here is stopped by the caller
// through the returned handle (tests call stop() in afterAll).

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, openSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** True when running under CI (CI set to anything except an empty string, "0" or "false"). */
export function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/**
 * An executable tool: `$envVar` when set (even if unusable), else `name` on PATH, else the sbin and
 * bin directories Debian installs it into.
 */
export function findExecutable(name: string, envVar?: string): string | undefined {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const override = envVar ? process.env[envVar] : undefined;
  if (override) return executable(override) ? override : undefined;
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/bin"];
  return dirs.map((dir) => join(dir, name)).find(executable);
}

/** The nginx binary: NGINX_BIN when set (even if unusable), else `nginx` on PATH, else /usr/sbin/nginx. */
export function findNginx(): string | undefined {
  return findExecutable("nginx", "NGINX_BIN");
}

function run(bin: string, args: string[], timeoutMs = 10_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** `nginx -V` first line, e.g. `nginx version: nginx/1.22.1`. */
export async function nginxVersion(bin: string): Promise<string> {
  const { output } = await run(bin, ["-V"]);
  return output.split("\n").find((line) => line.startsWith("nginx version")) ?? output.split("\n")[0] ?? "";
}

/** A scratch directory (world-traversable, so workers dropped to `nobody` under root can use it). */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * stdout/stderr for nginx as regular files: the config logs to /dev/stdout and /dev/stderr, which
 * nginx re-opens by path. That works for the pipes/files a container runtime provides but not for
 * the sockets Node uses as child pipes (ENXIO), so tests hand nginx files and read them back.
 */
function fileStdio(dir: string, name: string): { stdout: string; stderr: string; fds: [number, number] } {
  const stdout = join(dir, `${name}.stdout`);
  const stderr = join(dir, `${name}.stderr`);
  return { stdout, stderr, fds: [openSync(stdout, "a"), openSync(stderr, "a")] };
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** `nginx -t` on a config file; resolves with ok and nginx's output. */
export async function testConfig(bin: string, prefix: string, confPath: string, timeoutMs = 10_000): Promise<{ ok: boolean; output: string }> {
  const io = fileStdio(prefix, `nginx-t-${Date.now()}`);
  const child = spawn(bin, ["-t", "-q", "-p", prefix, "-c", confPath, "-e", "stderr"], { stdio: ["ignore", io.fds[0], io.fds[1]] });
  io.fds.forEach((fd) => closeSync(fd));
  const exited = await waitForExit(child, timeoutMs);
  if (!exited) child.kill("SIGKILL");
  return { ok: exited && child.exitCode === 0, output: readText(io.stdout) + readText(io.stderr) };
}

/** A free TCP port on 127.0.0.1 (released again before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP request to 127.0.0.1:port, bounded by timeoutMs; never rejects on HTTP status. */
export function httpRequest(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        headers: {
          ...(options.body !== undefined ? { "content-length": String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
        agent: false,
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`request ${path} timed out`)));
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** What a stub upstream saw, echoed back as its JSON response body. */
export interface StubEcho {
  readonly upstream: string;
  readonly method: string;
  /** Path plus query string, as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface StubUpstream {
  readonly name: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 that answers every request with a JSON StubEcho. A request header
 * `x-stub-delay-ms` (at most 5000) delays the answer, to hold requests open for concurrency tests.
 */
export function startStubUpstream(name: string): Promise<StubUpstream> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const echo: StubEcho = { upstream: name, method: req.method ?? "", url: req.url ?? "", headers: req.headers };
      const delay = Math.min(Number(req.headers["x-stub-delay-ms"] ?? 0) || 0, 5_000);
      const answer = () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(echo));
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  return new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        name,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface RunningNginx {
  readonly port: number;
  readonly dir: string;
  /** Access-log lines (stdout) so far. */
  accessLog(): string[];
  /** Error-log text (stderr) so far. */
  errorLog(): string;
  /** Waits (bounded) until the access log has a line matching the predicate. */
  waitForLogLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Stops nginx (SIGQUIT, then SIGKILL after a grace period) and removes its directory. */
  stop(): Promise<void>;
}

/** Polls `check` until it is true; `what` (or its value at the time) names what failed to happen. */
export async function waitUntil(what: string | (() => string), timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts `nginx -p dir -c dir/nginx.conf -g 'daemon off;'` in the foreground and waits (at most
 * startTimeoutMs) until GET /ready answers 200 on the given port.
 */
export async function startNginx(
  bin: string,
  options: { dir: string; conf: string; port: number; startTimeoutMs?: number },
): Promise<RunningNginx> {
  const confPath = join(options.dir, "nginx.conf");
  await writeFile(confPath, options.conf);
  const io = fileStdio(options.dir, "nginx");
  const child = spawn(bin, ["-p", options.dir, "-c", confPath, "-e", "stderr", "-g", "daemon off;"], {
    stdio: ["ignore", io.fds[0], io.fds[1]],
  });
  io.fds.forEach((fd) => closeSync(fd));
  const stdout = () => readText(io.stdout);
  const stderr = () => readText(io.stderr);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGQUIT");
      if (!(await waitForExit(child, 3_000))) {
        child.kill("SIGKILL");
        await waitForExit(child, 2_000);
      }
    }
    await rm(options.dir, { recursive: true, force: true });
  };

  try {
    await waitUntil("nginx to answer /ready", options.startTimeoutMs ?? 5_000, async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode}:\n${stderr()}`);
      try {
        return (await httpRequest(options.port, "/ready", { timeoutMs: 500 })).status === 200;
      } catch {
        return false;
      }
    });
  } catch (error) {
    await stop();
    throw error;
  }

  const accessLog = () => stdout().split("\n").filter((line) => line.trim() !== "");
  return {
    port: options.port,
    dir: options.dir,
    accessLog,
    errorLog: stderr,
    async waitForLogLine(predicate, timeoutMs = 2_000) {
      let found: string | undefined;
      await waitUntil("an access-log line", timeoutMs, () => {
        found = accessLog().find(predicate);
        return found !== undefined;
      });
      return found!;
    },
    stop,
  };
}
