import { z } from "zod";

/** Tenant ids must be safe as a Mimir X-Scope-OrgID, a path segment and an nginx map value. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Prometheus/Mimir duration: one or more <int><unit> pairs, or a bare 0. */
export const DURATION_PATTERN = /^(0|([0-9]+(ms|s|m|h|d|w|y))+)$/;

/** Kubernetes resource quantity (decimal or binary SI suffixes, or millicores). */
export const QUANTITY_PATTERN = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** RFC 1123 label, used for Kubernetes object names and namespaces. */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const tenantId = z
  .string()
  .regex(TENANT_ID_PATTERN, `must match ${TENANT_ID_PATTERN.source}`);

export const duration = z
  .string()
  .regex(DURATION_PATTERN, "must be a duration such as 30s, 15m, 12h or 15d");

/** CPU/memory quantities may be written as YAML numbers (`cpu: 2`); they are normalised to strings. */
export const quantity = z
  .union([z.string(), z.number().nonnegative()])
  .transform((value) => String(value))
  .refine((value) => QUANTITY_PATTERN.test(value), {
    message: "must be a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi",
  });

export const dnsLabel = z
  .string()
  .max(63)
  .regex(DNS_LABEL_PATTERN, "must be a lowercase RFC 1123 label (a-z, 0-9, '-')");

export const replicas = z.number().int("must be a whole number").min(0, "must be >= 0");

export const positiveInt = z.number().int("must be a whole number").positive("must be > 0");

export const httpsUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" });

/** Converts a Kubernetes quantity to bytes (memory) or cores (cpu); used for cross-field checks. */
export function quantityToNumber(value: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(value);
  if (!match) throw new Error(`not a quantity: ${value}`);
  const amount = Number(match[1]);
  const factors: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
  };
  const factor = factors[match[2] ?? ""];
  if (factor === undefined) throw new Error(`unknown quantity suffix in ${value}`);
  return amount * factor;
}

/** Converts a duration like 1h30m to seconds. */
export function durationToSeconds(value: string): number {
  if (value === "0") return 0;
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
  };
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(amount) * (units[unit!] ?? 0);
  }
  return total;
}
