// Deno 2 from the npm package `deno`: its binary ships in a platform package and is linked into
// place on first use (npm may skip the package's install script).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { ROOT } from "./config.mjs";

const require = createRequire(import.meta.url);

/**
 * The configuration of the project's own Deno code (gateway, tests, benchmarks). Each function has
 * its own deno.json beside its index.ts, as deployed; these pin the same versions.
 */
export const DENO_CONFIG = path.join(ROOT, "deno.json");

export function denoPath() {
  return require("deno/install_api.cjs").runInstall();
}

/** Deno fetches npm: imports from the registry npm is configured with. */
export function denoEnv() {
  let registry = process.env.NPM_CONFIG_REGISTRY;
  if (!registry) {
    try {
      registry = execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8" }).trim();
    } catch {
      registry = "https://registry.npmjs.org/";
    }
  }
  return { ...process.env, NPM_CONFIG_REGISTRY: registry, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
}
