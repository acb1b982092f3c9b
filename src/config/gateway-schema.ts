import { isIP } from "node:net";
import { z } from "zod";
import { autoscalingSchema, resourcesSchema } from "./workload-schema.js";
import { positiveInt, tenantId } from "./primitives.js";
import { IMAGES } from "../lib/images.js";

/** IPv4/IPv6 CIDR such as 10.0.0.0/8 or fd00::/8. */
export const cidr = z.string().refine(
  (value) => {
    const [address, bits, ...rest] = value.split("/");
    if (rest.length > 0 || address === undefined || bits === undefined || !/^[0-9]{1,3}$/.test(bits)) return false;
    const family = isIP(address);
    const prefix = Number(bits);
    return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
  },
  { message: "must be a CIDR such as 10.0.0.0/8" },
);

/**
 * Characters a gateway bearer token may use: RFC 6750 `b64token` (letters, digits, `- . _ ~ + /`,
 * trailing `=` padding), starting with a letter or digit so nginx never reads a map key as a
 * regular expression (`~`) or an escape (`\`).
 */
export const BEARER_TOKEN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._~+/-]*=*$/;
export const BEARER_TOKEN_MIN_LENGTH = 16;
/** nginx map hash buckets are sized (map_hash_bucket_size 256) for keys up to this length. */
export const BEARER_TOKEN_MAX_LENGTH = 200;

/** nginx counts rates in whole requests per second or per minute. */
function isNginxRate(rate: number): boolean {
  const perMinute = rate * 60;
  return Number.isInteger(rate) || Math.abs(perMinute - Math.round(perMinute)) < 1e-9;
}

const rateLimitSchema = z.strictObject({
  /** Sustained requests per second; fractions must be whole requests per minute (0.5 = 30 r/m). */
  rate: z
    .number()
    .positive("must be > 0")
    .refine(isNginxRate, { message: "must be whole requests per second or per minute (e.g. 10, or 0.5 = 30 per minute)" }),
  /** Requests allowed above the rate at once before 429s (nginx limit_req burst, served without delay). */
  burst: z.number().int("must be a whole number").min(0, "must be >= 0"),
});

const DEFAULT_RATE_LIMITS = {
  perTenant: { rate: 120, burst: 240 },
  perClientIp: { rate: 60, burst: 120 },
};
const DEFAULT_CONCURRENCY = { perTenant: 200, perClientIp: 100 };

export const gatewaySchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    image: z.string().min(1).default(IMAGES.gateway),
    replicas: z.number().int("must be a whole number").min(1, "must be >= 1").default(2),
    resources: resourcesSchema.optional(),
    autoscaling: autoscalingSchema.optional(),
    /**
     * nginx worker processes. Pinned by default: `auto` would start one per CPU of the *node*
     * (nginx does not see the container's CPU limit) and can break the memory limit on big nodes.
     */
    workerProcesses: z.union([z.literal("auto"), positiveInt]).default(2),
    rateLimits: z
      .strictObject({
        perTenant: rateLimitSchema.default(DEFAULT_RATE_LIMITS.perTenant),
        perClientIp: rateLimitSchema.default(DEFAULT_RATE_LIMITS.perClientIp),
      })
      .default(DEFAULT_RATE_LIMITS),
    concurrency: z
      .strictObject({
        /** Simultaneous requests one tenant may have open. */
        perTenant: positiveInt.default(DEFAULT_CONCURRENCY.perTenant),
        /** Simultaneous requests one client IP may have open. */
        perClientIp: positiveInt.default(DEFAULT_CONCURRENCY.perClientIp),
      })
      .default(DEFAULT_CONCURRENCY),
    /**
     * Removed: the trusted proxies are the load balancer subnets from the Terraform output
     * `load_balancer_subnet_cidrs`; a hand-typed range (e.g. the VPC CIDR) also trusts every pod.
     */
    trustedProxyCidrs: z.unknown().optional(),
    /** Largest accepted request body (nginx size syntax). */
    clientMaxBodySize: z
      .string()
      .regex(/^[0-9]+[kKmMgG]?$/, "must be an nginx size such as 64m")
      .default("64m"),
    /**
     * Bearer tokens, one per client, as references into the secret store (never values):
     * each resolves to one tenant. A tenant may have several (e.g. during rotation).
     */
    tokens: z
      .array(
        z.strictObject({
          tenant: tenantId,
          /** Secret-store key holding the token. */
          remoteKey: z.string().min(1),
          /** Property inside that secret (JSON secrets). */
          property: z.string().min(1).optional(),
        }),
      )
      .default([]),
    /** DEV ONLY (local environment): plaintext token → tenant map. */
    devOnlyTokens: z
      .record(
        z
          .string()
          .min(BEARER_TOKEN_MIN_LENGTH, `dev tokens must be at least ${BEARER_TOKEN_MIN_LENGTH} characters`)
          .max(BEARER_TOKEN_MAX_LENGTH, `tokens must be at most ${BEARER_TOKEN_MAX_LENGTH} characters`)
          .regex(BEARER_TOKEN_PATTERN, "tokens may only use A-Z a-z 0-9 . _ ~ + / - (trailing = allowed), starting with a letter or digit"),
        tenantId,
      )
      .optional(),
  })
  .superRefine((gateway, ctx) => {
    if (gateway.trustedProxyCidrs !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["trustedProxyCidrs"],
        message:
          "no longer set here: the gateway trusts X-Forwarded-For only from the load balancer subnets in the Terraform output load_balancer_subnet_cidrs (a hand-typed range such as the VPC CIDR also lets any pod choose its per-IP bucket)",
      });
    }
    const seenRefs = new Map<string, number>();
    gateway.tokens.forEach((token, index) => {
      const ref = `${token.remoteKey}\u0000${token.property ?? ""}`;
      const first = seenRefs.get(ref);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["tokens", index],
          message: `same secret reference as tokens[${first}]: each entry must point at a different token`,
        });
      } else {
        seenRefs.set(ref, index);
      }
    });
    // nginx compares map keys case-insensitively and refuses to start on duplicates.
    const seenTokens = new Map<string, string>();
    for (const token of Object.keys(gateway.devOnlyTokens ?? {})) {
      const folded = token.toLowerCase();
      const other = seenTokens.get(folded);
      if (other !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["devOnlyTokens", token],
          message: `differs from another token only in letter case; nginx matches tokens case-insensitively`,
        });
      } else {
        seenTokens.set(folded, token);
      }
    }
    if (gateway.devOnlyTokens && gateway.tokens.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["devOnlyTokens"],
        message: "set either tokens (secret-store references) or devOnlyTokens (local only), not both",
      });
    }
  });

export type GatewaySettings = Omit<z.infer<typeof gatewaySchema>, "trustedProxyCidrs">;
