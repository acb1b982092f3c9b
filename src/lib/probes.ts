import * as k8s from "cdk8s-plus-27/lib/imports/k8s.js";

export interface HttpProbeOptions {
  /** HTTP path, e.g. `/ready`. */
  readonly path: string;
  /** Named container port. */
  readonly port: string;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default 1 */
  readonly timeoutSeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
}

/** An HTTP GET probe on a named port. */
export function httpProbe(options: HttpProbeOptions): k8s.Probe {
  return {
    httpGet: { path: options.path, port: k8s.IntOrString.fromString(options.port) },
    initialDelaySeconds: options.initialDelaySeconds ?? 0,
    timeoutSeconds: options.timeoutSeconds ?? 1,
    periodSeconds: options.periodSeconds ?? 10,
    failureThreshold: options.failureThreshold ?? 3,
  };
}
