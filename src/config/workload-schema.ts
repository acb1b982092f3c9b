import { z } from "zod";
import { positiveInt, quantity } from "./primitives.js";

/** CPU/memory requests and limits of one container. */
export const resourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu: quantity, memory: quantity }),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
});
export type Resources = z.infer<typeof resourcesSchema>;

/** Plain autoscaling/v2 HPA on CPU and memory utilisation (of requests). */
export const autoscalingSchema = z
  .strictObject({
    minReplicas: positiveInt,
    maxReplicas: positiveInt,
    targetCpuUtilization: z.number().int().min(1).max(100).default(75),
    targetMemoryUtilization: z.number().int().min(1).max(100).optional(),
  })
  .refine((value) => value.minReplicas <= value.maxReplicas, {
    message: "minReplicas must be <= maxReplicas",
    path: ["minReplicas"],
  });
export type Autoscaling = z.infer<typeof autoscalingSchema>;
