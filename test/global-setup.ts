import { execFileSync } from "node:child_process";

/** Builds the CLI once with the exact `npm run build` command, so tests exercise the shipped bundle. */
export default function setup(): void {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
}
