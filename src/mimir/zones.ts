import type { InfraOutputs } from "../config/infra-outputs.js";
import type { PlatformConfig } from "../config/schema.js";
import type { MimirZone } from "./context.js";

/**
 * The zones of a zone-aware deployment: `zone-a/b/c` on the first three Terraform availability
 * zones, or none when zone awareness is off.
 */
export function mimirZones(config: PlatformConfig, infra: InfraOutputs | undefined): readonly MimirZone[] {
  if (!config.mimir.zoneAwareReplication || !infra) return [];
  return infra.availabilityZones.slice(0, 3).map((awsZone, index) => ({ name: `zone-${"abc"[index]}`, awsZone }));
}
