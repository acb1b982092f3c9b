/**
 * The token map file nginx includes inside `map $gateway_bearer_token $tenant_from_token`: one
 * line `"<token>" <tenant>;` per token. Rendered here for the DEV ONLY Secret (and tests), and as
 * an external-secrets template for every other environment, where the values never leave the
 * secret store.
 */
import {
  BEARER_TOKEN_MAX_LENGTH,
  BEARER_TOKEN_MIN_LENGTH,
  BEARER_TOKEN_PATTERN,
  type GatewaySettings,
} from "../config/gateway-schema.js";
import { TENANT_ID_PATTERN } from "../config/primitives.js";

/** Key of the token map in the gateway-tokens Secret (and file name under /etc/nginx/tenants). */
export const TOKEN_MAP_KEY = "tokens.map";

const HEADER = [
  "# Tenancy gateway token map: \"<bearer token>\" <tenant>;",
  "# nginx compares tokens case-insensitively and refuses duplicate tokens.",
];

function checkTokenAndTenant(token: string, tenant: string): void {
  if (token.length < BEARER_TOKEN_MIN_LENGTH || token.length > BEARER_TOKEN_MAX_LENGTH || !BEARER_TOKEN_PATTERN.test(token)) {
    // Never echo the token itself.
    throw new Error(
      `gateway: a token for tenant "${tenant}" is not a valid bearer token (${BEARER_TOKEN_MIN_LENGTH}-${BEARER_TOKEN_MAX_LENGTH} characters of A-Z a-z 0-9 . _ ~ + / -, trailing = allowed, starting with a letter or digit)`,
    );
  }
  if (!TENANT_ID_PATTERN.test(tenant)) throw new Error(`gateway: invalid tenant id "${tenant}"`);
}

/** Renders a plaintext token map (sorted by token, so the output is deterministic). */
export function renderTokenMap(tokens: Readonly<Record<string, string>>): string {
  const seen = new Set<string>();
  const lines = Object.keys(tokens)
    .sort()
    .map((token) => {
      const tenant = tokens[token]!;
      checkTokenAndTenant(token, tenant);
      const folded = token.toLowerCase();
      if (seen.has(folded)) throw new Error(`gateway: two tokens for tenant "${tenant}" differ only in letter case`);
      seen.add(folded);
      return `"${token}" ${tenant};`;
    });
  return [...HEADER, ...lines, ""].join("\n");
}

/** Secret key (in the ExternalSecret's data) holding settings.tokens[index]. */
export function tokenSecretKey(index: number): string {
  return `token_${index}`;
}

/**
 * Go (RE2) regular expression the external-secrets template checks each token with: the same
 * characters as BEARER_TOKEN_PATTERN, within the length bounds, at most two `=` of padding.
 */
export const TEMPLATE_TOKEN_REGEX = `^[A-Za-z0-9][A-Za-z0-9._~+/-]{${BEARER_TOKEN_MIN_LENGTH - 1},${BEARER_TOKEN_MAX_LENGTH - 1}}={0,2}$`;

/**
 * external-secrets template (engine v2: Go text/template with sprig) rendering the token map from
 * the fetched values. Each value is trimmed (secrets stored with a trailing newline are common),
 * then checked: an invalid or duplicate token makes the template `fail`, so the ExternalSecret
 * reports an error and the existing Secret (and so every gateway pod) keeps the last good map
 * instead of a file nginx would refuse to load. Messages name the config entry, never the value.
 */
export function tokenMapTemplate(tokens: GatewaySettings["tokens"]): string {
  const lines = [...HEADER, "{{ $seen := dict -}}"];
  tokens.forEach((token, index) => {
    if (!TENANT_ID_PATTERN.test(token.tenant)) throw new Error(`gateway: invalid tenant id "${token.tenant}"`);
    const where = `tokens[${index}] (tenant ${token.tenant}, key ${token.remoteKey}${token.property ? ` property ${token.property}` : ""})`;
    const invalid = `gateway ${where}: not a valid bearer token (${BEARER_TOKEN_MIN_LENGTH}-${BEARER_TOKEN_MAX_LENGTH} characters of A-Z a-z 0-9 . _ ~ + / -, starting with a letter or digit)`;
    const duplicate = `gateway ${where}: same token as another entry (tokens are compared case-insensitively)`;
    const v = `$t${index}`;
    lines.push(
      `{{ ${v} := index . ${JSON.stringify(tokenSecretKey(index))} | trim -}}`,
      `{{ if not (regexMatch ${JSON.stringify(TEMPLATE_TOKEN_REGEX)} ${v}) }}{{ fail ${JSON.stringify(invalid)} }}{{ end -}}`,
      `{{ if hasKey $seen (lower ${v}) }}{{ fail ${JSON.stringify(duplicate)} }}{{ end -}}`,
      `{{ $_ := set $seen (lower ${v}) "" -}}`,
      `"{{ ${v} }}" ${token.tenant};`,
    );
  });
  lines.push("");
  return lines.join("\n");
}
