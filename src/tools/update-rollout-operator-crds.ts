/**
 * Vendors the rollout-operator's CustomResourceDefinitions (group rollout-operator.grafana.com:
 * ZoneAwarePodDisruptionBudget and ReplicaTemplate) into the repo. They are not part of ../shared/crds, so
 * `npm run update-imports` does not produce them.
 *
 *   npm run update-rollout-operator-crds -- <source>        (or ROLLOUT_OPERATOR_SRC=<source>)
 *   ROLLOUT_OPERATOR_REF=v0.34.0                            (default: the version the platform deploys)
 *
 * <source> is one of
 *   - a git repository of github.com/grafana/rollout-operator, bare (e.g. a mirror) or with a work tree: the CRDs
 *     are read from operations/rollout-operator/crds/ at ROLLOUT_OPERATOR_REF, whatever is checked out;
 *   - a plain copy of that repository (no .git), read from operations/rollout-operator/crds/ as it is;
 *   - a directory holding the CRD YAML files themselves (e.g. charts/rollout-operator/crds of grafana/helm-charts).
 * The last two cannot prove their version: the ref is recorded as given and the commit as unknown.
 *
 * Outputs (all committed; synth and tests read only these, never <source>):
 *   imports/crds/rollout-operator.grafana.com.yaml   the upstream CRD files verbatim, with a provenance header
 *   imports/crds/rollout-operator.grafana.com.ts     the same CRDs as a TypeScript module, bundled into synth
 *   imports/schemas/rollout-operator.grafana.com.json the compact schemas the CRD validator checks custom resources against
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadAll } from "js-yaml";
import { buildSchemas, cmp, crdDocuments, REPO_ROOT, SCHEMAS_DIR, typeCheckModules, VENDORED_CRDS_DIR, type Crd } from "./crd-artifacts.js";

const GROUP = "rollout-operator.grafana.com";
/** Keep in step with the default image of src/mimir/rollout-operator.ts (a test checks that they agree). */
const DEFAULT_REF = "v0.34.0";
const REPOSITORY = "grafana/rollout-operator";
const CRDS_PATH = "operations/rollout-operator/crds";
const EXPECTED_KINDS = ["ReplicaTemplate", "ZoneAwarePodDisruptionBudget"];

const yamlOut = path.join(VENDORED_CRDS_DIR, `${GROUP}.yaml`);
const moduleOut = path.join(VENDORED_CRDS_DIR, `${GROUP}.ts`);
const schemaOut = path.join(SCHEMAS_DIR, `${GROUP}.json`);

interface SourceFile {
  /** Path inside the source (repository-relative for repositories). */
  readonly path: string;
  readonly text: string;
}
interface Source {
  readonly ref: string;
  /** Full commit id when read from git, otherwise null. */
  readonly commit: string | null;
  readonly files: readonly SourceFile[];
}

function fail(message: string): never {
  console.error(`update-rollout-operator-crds: ${message}`);
  process.exit(1);
}

function git(dir: string, args: string[]): string | undefined {
  const result = spawnSync("git", ["-C", dir, ...args], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  return result.status === 0 ? result.stdout : undefined;
}

/** True when `dir` is the top of a git repository (bare, or the root of a work tree). */
function isGitRepository(dir: string): boolean {
  if (git(dir, ["rev-parse", "--is-bare-repository"])?.trim() === "true") return true;
  return existsSync(path.join(dir, ".git"));
}

function readFromGit(dir: string, ref: string): Source {
  const commit = git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])?.trim();
  if (!commit) fail(`${dir} has no ref ${ref} (fetch its tags, or set ROLLOUT_OPERATOR_REF)`);
  const listing = git(dir, ["ls-tree", commit, `${CRDS_PATH}/`]) ?? "";
  const files: SourceFile[] = [];
  for (const line of listing.split("\n").filter(Boolean)) {
    // "<mode> <type> <object>\t<path>"; symlinks (mode 120000) would give the link target, not the file.
    const [meta, filePath] = line.split("\t") as [string, string];
    const [mode, type] = meta.split(" ");
    if (type !== "blob" || mode === "120000" || !/\.ya?ml$/.test(filePath)) continue;
    const text = git(dir, ["show", `${commit}:${filePath}`]);
    if (text === undefined) fail(`cannot read ${filePath} at ${ref}`);
    files.push({ path: filePath, text });
  }
  return { ref, commit, files };
}

function readFromDirectory(dir: string, prefix: string, ref: string): Source {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ path: prefix ? `${prefix}/${f}` : f, text: readFileSync(path.join(dir, f), "utf8") }));
  console.warn(`update-rollout-operator-crds: ${dir} is not a git repository; recording ref ${ref} without a commit`);
  return { ref, commit: null, files };
}

function readSource(source: string, ref: string): Source {
  if (!existsSync(source) || !statSync(source).isDirectory()) fail(`${source} is not a directory`);
  if (isGitRepository(source)) return readFromGit(source, ref);
  const inRepo = path.join(source, CRDS_PATH);
  if (existsSync(inRepo)) return readFromDirectory(inRepo, CRDS_PATH, ref);
  return readFromDirectory(source, "", ref);
}

/** The source's CRDs, sorted by kind, after checking that they are exactly the ones the platform needs. */
function crdsOf(source: Source): { crds: Crd[]; files: SourceFile[] } {
  const crds: Crd[] = [];
  const files: SourceFile[] = [];
  for (const file of source.files) {
    const found = crdDocuments(loadAll(file.text), file.path);
    if (found.length === 0) continue;
    for (const crd of found) {
      if (crd.spec.group !== GROUP) fail(`${file.path}: ${crd.metadata.name} is in group ${crd.spec.group}, expected ${GROUP}`);
    }
    crds.push(...found);
    files.push(file);
  }
  const kinds = crds.map((c) => c.spec.names.kind).sort(cmp);
  if (JSON.stringify(kinds) !== JSON.stringify(EXPECTED_KINDS)) {
    fail(`expected exactly the CRDs ${EXPECTED_KINDS.join(", ")} at ${source.ref}, found ${kinds.join(", ") || "none"}`);
  }
  crds.sort((a, b) => cmp(a.spec.names.kind, b.spec.names.kind));
  files.sort((a, b) => cmp(a.path, b.path));
  return { crds, files };
}

function provenance(source: Source): string {
  return `${REPOSITORY} ${source.ref}${source.commit ? ` (commit ${source.commit})` : ""}`;
}

function renderYaml(source: Source, files: readonly SourceFile[]): string {
  const parts = [
    `# Generated by \`npm run update-rollout-operator-crds\` from ${provenance(source)}. Do not edit by hand.`,
    ...files.map((f) => `---\n# Source: ${f.path}\n${f.text.replace(/^---\n/, "").trimEnd()}`),
  ];
  return parts.join("\n") + "\n";
}

function renderModule(source: Source, files: readonly SourceFile[], crds: readonly Crd[]): string {
  const meta = { repository: REPOSITORY, ref: source.ref, commit: source.commit, paths: files.map((f) => f.path) };
  return `// Generated by \`npm run update-rollout-operator-crds\` from ${provenance(source)}. Do not edit by hand.
// The same definitions as ./${GROUP}.yaml, as a module so that synth bundles them and never reads files.

/** An apiextensions.k8s.io/v1 CustomResourceDefinition as published upstream. */
export interface CustomResourceDefinitionManifest {
  readonly apiVersion: "apiextensions.k8s.io/v1";
  readonly kind: "CustomResourceDefinition";
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly group: string;
    readonly scope: "Namespaced" | "Cluster";
    readonly names: { readonly kind: string; readonly plural: string; readonly [key: string]: unknown };
    readonly versions: ReadonlyArray<{
      readonly name: string;
      readonly served: boolean;
      readonly storage: boolean;
      readonly [key: string]: unknown;
    }>;
    readonly [key: string]: unknown;
  };
}

/** Where the definitions below come from. */
export const ROLLOUT_OPERATOR_CRDS_SOURCE = ${JSON.stringify(meta, null, 2)} as const;

/** The rollout-operator's CRDs (${crds.map((c) => c.spec.names.kind).join(", ")}), sorted by kind. */
export const ROLLOUT_OPERATOR_CRDS: readonly CustomResourceDefinitionManifest[] = ${JSON.stringify(crds, null, 2)};
`;
}

async function main(): Promise<void> {
  const sourceArg = process.argv[2] ?? process.env.ROLLOUT_OPERATOR_SRC;
  if (!sourceArg) {
    fail("pass the rollout-operator source: `npm run update-rollout-operator-crds -- <dir>` or ROLLOUT_OPERATOR_SRC=<dir> " +
      "(a clone or mirror of github.com/grafana/rollout-operator, or a directory holding its CRD YAML files)");
  }
  const ref = process.env.ROLLOUT_OPERATOR_REF ?? DEFAULT_REF;
  const source = readSource(path.resolve(sourceArg), ref);
  const { crds, files } = crdsOf(source);

  mkdirSync(VENDORED_CRDS_DIR, { recursive: true });
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  writeFileSync(yamlOut, renderYaml(source, files));
  writeFileSync(moduleOut, renderModule(source, files, crds));
  writeFileSync(schemaOut, buildSchemas(GROUP, crds));
  try {
    await typeCheckModules([path.relative(REPO_ROOT, moduleOut)]);
  } catch (err) {
    fail(`the generated module does not type-check:\n${(err as Error).message}`);
  }
  for (const out of [yamlOut, moduleOut, schemaOut]) console.log(path.relative(process.cwd(), out));
  console.log(`update-rollout-operator-crds: ${crds.map((c) => c.spec.names.kind).join(", ")} from ${provenance(source)}`);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
