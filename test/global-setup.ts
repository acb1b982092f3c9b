import { build } from "esbuild";

/** Bundles the CLI once, exactly as `npm run synth` does, so tests exercise the shipped entry point. */
export default async function setup(): Promise<void> {
  await build({
    entryPoints: ["src/main.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile: ".build/main.mjs",
    logLevel: "warning",
  });
}
