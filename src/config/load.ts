import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { load as parseYaml } from "js-yaml";
import type { Problem } from "../validate/problem.js";
import { ConfigError, formatPath } from "./errors.js";
import { parseInfraOutputs, type InfraOutputs } from "./infra-outputs.js";
import { missingCollectionOutputs } from "./collection-schema.js";
import { platformConfigSchema, type PlatformConfig } from "./schema.js";
import { COMPONENT_FACTS, COMPONENTS_BY_MODE } from "../mimir/components.js";

export interface EnvironmentInputs {
  readonly config: PlatformConfig;
  /** Absent only for the local (monolithic) environment, which runs on MinIO. */
  readonly infra?: InfraOutputs;
  readonly warnings: readonly string[];
}

export const CONFIG_FILE = "config.yaml";
export const TERRAFORM_OUTPUTS_FILE = "terraform-outputs.json";

/**
 * The overlay directories under overlays/, sorted: every directory, except hidden ones without a config.yaml.
 * Each of them is an environment and must hold config.yaml; a directory whose config.yaml is missing is an
 * error when loaded (see loadEnvironment), never a silently skipped environment, because skipping it would
 * remove the environment's outputs and GitOps would then prune it from the cluster.
 */
export function listOverlayDirectories(overlaysDir: string): string[] {
  if (!existsSync(overlaysDir)) return [];
  return readdirSync(overlaysDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && (!entry.name.startsWith(".") || existsSync(path.join(overlaysDir, entry.name, CONFIG_FILE))))
    .map((entry) => entry.name)
    .sort();
}

/** Lists the environments under overlays/ that hold a config.yaml, sorted. */
export function listEnvironments(overlaysDir: string): string[] {
  return listOverlayDirectories(overlaysDir).filter((name) => existsSync(path.join(overlaysDir, name, CONFIG_FILE)));
}


/** Parses config.yaml text into a PlatformConfig, collecting every problem with its field path. */
export function parsePlatformConfig(text: string, file: string, envName: string): { config?: PlatformConfig; problems: Problem[] } {
  if (text.trim() === "") return { problems: [{ file, message: "file is empty: expected the platform settings (see README)" }] };
  let raw: unknown;
  try {
    raw = parseYaml(text, { filename: file });
  } catch (error) {
    return { problems: [{ file, message: `not valid YAML: ${(error as Error).message.split("\n")[0]}` }] };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { problems: [{ file, message: "must be a YAML mapping of settings" }] };
  }
  const parsed = platformConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const problems: Problem[] = [];
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys" && !issue.message.startsWith("unknown")) {
        for (const key of issue.keys) {
          problems.push({ file, path: formatPath([...issue.path, key]), message: "unknown field" });
        }
      } else if (issue.code === "unrecognized_keys") {
        // Mimir limit blocks produce their own message with a did-you-mean hint.
        for (const [index, key] of issue.keys.entries()) {
          problems.push({ file, path: formatPath([...issue.path, key]), message: issue.message.split("; ")[index] ?? issue.message });
        }
      } else {
        problems.push({ file, path: formatPath(issue.path), message: humanMessage(issue) });
      }
    }
    return { problems };
  }
  const data = parsed.data;
  const config: PlatformConfig = {
    ...data,
    envName,
    grafanaRootUrl: data.grafanaRootUrl ?? `https://grafana.${data.baseDomain}`,
    runbookBaseUrl: data.runbookBaseUrl ?? `https://runbooks.${data.baseDomain}`,
  };
  return { config, problems: [] };
}

function humanMessage(issue: { code: string; message: string; expected?: unknown; input?: unknown }): string {
  if (issue.code === "invalid_type" && issue.input === undefined) return "required field is missing";
  if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input")) {
    return `expected ${String(issue.expected)}, got ${describe(issue.input)}`;
  }
  return issue.message;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Checks that tie config.yaml and the Terraform outputs together. */
function crossCheck(config: PlatformConfig, infra: InfraOutputs, configFile: string, outputsFile: string): Problem[] {
  const problems: Problem[] = [];
  if (infra.project !== config.project) {
    problems.push({
      file: outputsFile,
      path: "project.value",
      message: `is "${infra.project}" but ${configFile} says project "${config.project}"`,
    });
  }
  const envField = config.drSourceEnvironment ? "drSourceEnvironment" : "environment";
  const expectedBucket = `${config.project}-${config.drSourceEnvironment ?? config.environment}-mimir-metrics`;
  if (infra.mimirBucket !== expectedBucket) {
    problems.push({
      file: outputsFile,
      path: "mimir_bucket.value",
      message: `must be "${expectedBucket}" (<project>-<${envField}>-mimir-metrics from ${configFile}), got "${infra.mimirBucket}"`,
    });
  }
  if (config.mimir.zoneAwareReplication && infra.availabilityZones.length < 3) {
    problems.push({
      file: outputsFile,
      path: "availability_zones.value",
      message: `zone-aware replication needs 3 availability zones, got ${infra.availabilityZones.length}`,
    });
  }
  if (config.gateway.enabled && !infra.loadBalancerSubnetCidrs) {
    problems.push({
      file: outputsFile,
      path: "load_balancer_subnet_cidrs",
      message:
        "required output is missing: the gateway trusts X-Forwarded-For (the client IP its per-IP limits use) only from the load balancer subnets",
    });
  }
  const running = new Set(COMPONENTS_BY_MODE[config.mimir.deploymentMode].map((name) => COMPONENT_FACTS[name].terraformKey));
  for (const key of Object.keys(infra.componentRoleArns)) {
    if (!running.has(key)) {
      problems.push({
        file: outputsFile,
        path: `component_irsa_role_arns.value.${key}`,
        message: `${key} does not run in deploymentMode ${config.mimir.deploymentMode} of ${configFile}, so this role would be unused`,
      });
    }
  }
  for (const name of missingCollectionOutputs(config.collection, infra.amp)) {
    problems.push({ file: outputsFile, path: name, message: `required output is missing: ${configFile} sets collection.remoteWrite.backend amp` });
  }
  if (config.mimir.deploymentMode === "read-only" && !infra.dr) {
    problems.push({
      file: outputsFile,
      path: "dr_replication_bucket",
      message: "required output is missing: the read-only (DR) deployment reads the replicated bucket",
    });
  }
  return problems;
}

/**
 * Loads and validates one environment's inputs from overlays/<env>/. Throws ConfigError listing
 * every problem (file + field path) when anything is invalid.
 */
export function loadEnvironment(overlaysDir: string, envName: string, displayRoot = process.cwd()): EnvironmentInputs {
  const envDir = path.join(overlaysDir, envName);
  const configPath = path.join(envDir, CONFIG_FILE);
  const outputsPath = path.join(envDir, TERRAFORM_OUTPUTS_FILE);
  const configFile = path.relative(displayRoot, configPath) || configPath;
  const outputsFile = path.relative(displayRoot, outputsPath) || outputsPath;

  if (!existsSync(configPath)) {
    const message = existsSync(envDir)
      ? `file not found (the overlay directory exists; restore the file, or delete the directory and pass --remove-env ${envName} to remove the environment)`
      : "file not found";
    throw new ConfigError([{ file: configFile, message }]);
  }
  const { config, problems } = parsePlatformConfig(readFileSync(configPath, "utf8"), configFile, envName);
  if (!config) throw new ConfigError(problems);

  const warnings: string[] = [];
  if (!existsSync(outputsPath)) {
    if (config.mimir.deploymentMode === "monolithic") return { config, warnings };
    throw new ConfigError([{ file: outputsFile, message: "file not found (write it with `terraform output -json`)" }]);
  }
  const infraResult = parseInfraOutputs(readFileSync(outputsPath, "utf8"), outputsFile);
  if (!infraResult.result) throw new ConfigError(infraResult.problems);
  const cross = crossCheck(config, infraResult.result.outputs, configFile, outputsFile);
  if (cross.length > 0) throw new ConfigError(cross);
  warnings.push(...infraResult.result.warnings);
  return { config, infra: infraResult.result.outputs, warnings };
}
