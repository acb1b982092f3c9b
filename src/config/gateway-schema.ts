import { isIP } from "node:net";
import { z } from "zod";
import { positiveInt, quantity, tenantId } from "./primitives.js";

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

const rateLimitSchema = z.strictObject({
  /** Sustained requests per second. */
  rate: z.number().positive("must be > 0"),
  /** Extra requests allowed in a burst before 429s. */
  burst: z.number().int("must be a whole number").min(0, "must be >= 0"),
});

export const gatewaySchema = z.strictObject({
  enabled: z.boolean().default(true),
  image: z.string().min(1).default("nginxinc/nginx-unprivileged:1.29-alpine"),
  replicas: z.number().int().min(1).default(2),
  resources: z
    .strictObject({
      requests: z.strictObject({ cpu: quantity, memory: quantity }),
      limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
    })
    .optional(),
  autoscaling: z
    .strictObject({
      minReplicas: positiveInt,
      maxReplicas: positiveInt,
      targetCpuUtilization: z.number().int().min(1).max(100).default(75),
      targetMemoryUtilization: z.number().int().min(1).max(100).optional(),
    })
    .optional(),
  rateLimits: z
    .strictObject({
      perTenant: rateLimitSchema.default({ rate: 120, burst: 240 }),
      perClientIp: rateLimitSchema.default({ rate: 60, burst: 120 }),
    })
    .default({ perTenant: { rate: 120, burst: 240 }, perClientIp: { rate: 60, burst: 120 } }),
  concurrency: z
    .strictObject({
      /** Simultaneous requests one tenant may have open. */
      perTenant: positiveInt.default(200),
      /** Simultaneous requests one client IP may have open. */
      perClientIp: positiveInt.default(100),
    })
    .default({ perTenant: 200, perClientIp: 100 }),
  /** Load balancers whose X-Forwarded-For is trusted for the client IP. */
  trustedProxyCidrs: z.array(cidr).default([]),
  /** Largest accepted request body (nginx size syntax). */
  clientMaxBodySize: z
    .string()
    .regex(/^[0-9]+[kKmMgG]?$/, "must be an nginx size such as 64m")
    .default("64m"),
  /**
   * Bearer tokens, one per client, as references into the secret store (never values):
   * each resolves to one tenant.
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
  devOnlyTokens: z.record(z.string().min(16, "dev tokens must be at least 16 characters"), tenantId).optional(),
});

export type GatewaySettings = z.infer<typeof gatewaySchema>;
