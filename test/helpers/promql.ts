import { parser } from "@prometheus-io/lezer-promql";

/** Parse errors of one PromQL expression and the metric names its vector selectors select. */
export function parsePromql(expr: string): { errors: number; metrics: string[] } {
  const tree = parser.parse(expr);
  const metrics: string[] = [];
  let errors = 0;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors++;
      if (node.name === "VectorSelector") {
        const identifier = node.node.getChild("Identifier");
        if (identifier) metrics.push(expr.slice(identifier.from, identifier.to));
      }
    },
  });
  return { errors, metrics };
}
