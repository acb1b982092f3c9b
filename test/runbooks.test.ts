import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CACHE_DEFAULTS } from "../src/memcached/defaults.js";
import { alertGroups, PLATFORM_SCOPE } from "../src/rules/rule-set.js";
import { REPO_ROOT } from "./helpers/cli.js";

const all = { results: CACHE_DEFAULTS.results.hitRatioObjective, index: CACHE_DEFAULTS.index.hitRatioObjective, chunks: CACHE_DEFAULTS.chunks.hitRatioObjective };
const alertNames = new Set(
  alertGroups({ runbookBaseUrl: "https://r", clusterLabel: "c", scope: PLATFORM_SCOPE, cacheObjectives: all }).flatMap((g) => g.rules.map((r) => r.alert)),
);

/** `### Name` sections under `## Alerts` in docs/runbooks.md, with their text. */
function runbookSections(markdown: string): Map<string, string> {
  const alertsPart = markdown.split(/^## Alerts$/m)[1] ?? "";
  const body = alertsPart.split(/^## /m)[0]!;
  const sections = new Map<string, string>();
  for (const chunk of body.split(/^### /m).slice(1)) {
    const [title, ...rest] = chunk.split("\n");
    sections.set(title!.trim(), rest.join("\n"));
  }
  return sections;
}

describe("docs/runbooks.md", () => {
  const sections = runbookSections(readFileSync(path.join(REPO_ROOT, "docs", "runbooks.md"), "utf8"));

  it("has a section for every alert and no section without an alert", () => {
    expect([...alertNames].filter((name) => !sections.has(name)), "alerts without a runbook section").toEqual([]);
    expect([...sections.keys()].filter((name) => !alertNames.has(name)), "sections without an alert").toEqual([]);
  });

  it("every section says what the alert means, its impact, how to diagnose and mitigate", () => {
    for (const [name, text] of sections) {
      for (const field of ["Meaning", "Impact", "Diagnosis", "Mitigation"]) expect(text, `${name}: ${field}`).toContain(`**${field}:**`);
    }
  });

  it("the parser finds a missing section (the check can fail)", () => {
    const parsed = runbookSections("# R\n\n## Alerts\n\n### Watchdog\n- **Meaning:** x\n\n## Other\n\n### NotAnAlert\n");
    expect([...parsed.keys()]).toEqual(["Watchdog"]);
  });
});
