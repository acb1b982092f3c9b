/**
 * The gateway container's entry command: runs nginx in the foreground and reloads it when the
 * mounted token map changes, so rotating a token (External Secrets refreshes the Secret, the
 * kubelet updates the mounted file) needs no pod restart. nginx only reads `include`d map files
 * at start and on reload; a reload starts new workers with the new map and lets the old ones
 * finish their requests.
 */

export interface TokenReloaderOptions {
  /** The nginx command with its fixed arguments, e.g. `nginx` or `nginx -p /x -c /x/nginx.conf`. */
  readonly nginx: string;
  /** The mounted token map file. */
  readonly tokenMap: string;
  /** How often the file is compared. @default 10 */
  readonly intervalSeconds?: number;
  /** Further files whose change also reloads nginx (the mTLS certificates cert-manager renews). @default none */
  readonly extraFiles?: readonly string[];
}

/** Characters allowed in the command and path, so they can be embedded in the script unquoted. */
const SAFE = /^[A-Za-z0-9_./ =-]+$/;

/**
 * POSIX sh script for `sh -c`. If the changed map fails `nginx -t` (e.g. a malformed token), the
 * running configuration stays in place and the failure is logged; nginx exiting ends the script
 * with its status, so Kubernetes restarts the container.
 */
export function tokenReloaderScript(options: TokenReloaderOptions): string {
  const interval = options.intervalSeconds ?? 10;
  const extra = options.extraFiles ?? [];
  if (!SAFE.test(options.nginx) || !SAFE.test(options.tokenMap) || extra.some((file) => !SAFE.test(file) || file.includes(" "))) throw new Error("gateway: unsafe characters in the reloader's command or path");
  if (!Number.isInteger(interval) || interval < 1) throw new Error("gateway: reload interval must be a whole number of seconds >= 1");
  return [
    `map=${options.tokenMap}`,
    `${options.nginx} -g 'daemon off;' &`,
    "pid=$!",
    // Forward termination as a graceful quit (SIGQUIT) and exit with nginx's status. Signals go to
    // the master pid directly: `nginx -s` would first parse the config, which fails while a broken
    // token map is mounted.
    `trap 'kill -QUIT "$pid" 2>/dev/null; wait "$pid"; exit $?' TERM INT QUIT`,
    extra.length === 0 ? 'last=$(cksum < "$map" 2>/dev/null)' : `last=$(cat "$map" ${extra.join(" ")} 2>/dev/null | cksum)`,
    'while kill -0 "$pid" 2>/dev/null; do',
    `  sleep ${interval} & wait $!`,
    extra.length === 0 ? '  now=$(cksum < "$map" 2>/dev/null)' : `  now=$(cat "$map" ${extra.join(" ")} 2>/dev/null | cksum)`,
    '  if [ "$now" != "$last" ]; then',
    "    last=$now",
    `    if ${options.nginx} -t -q; then`,
    `      kill -HUP "$pid" && echo '{"msg":"token map changed; nginx reloaded"}' >&2`,
    "    else",
    `      echo '{"msg":"token map changed but fails nginx -t; keeping the running configuration"}' >&2`,
    "    fi",
    "  fi",
    "done",
    'wait "$pid"',
  ].join("\n");
}
