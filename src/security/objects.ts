/**
 * The objects other families synthesized for this environment, read by the security family (which runs
 * last) so what it derives (store conditions, network policies) covers every family, including ones added
 * later, without a per-family list.
 */
import { App, type Chart } from "cdk8s";

export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: any;
  readonly data?: Record<string, string>;
  readonly [key: string]: unknown;
}

/** Every object of every chart of `chart`'s App except the charts in `exclude`. */
export function renderedObjects(chart: Chart, exclude: readonly Chart[]): RenderedObject[] {
  const app = chart.node.root;
  if (!(app instanceof App)) throw new Error("internal: security family charts must belong to an App");
  return app.charts.filter((other) => !exclude.includes(other)).flatMap((other) => other.toJson() as RenderedObject[]);
}
