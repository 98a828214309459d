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

/** npm's settings for the registry, read once: its address and the CA file npm trusts it with. */
function npmRegistrySettings() {
  try {
    const printed = execFileSync("npm", ["config", "get", "registry", "cafile"], { encoding: "utf8" });
    return Object.fromEntries(printed.split("\n").filter((line) => line.includes("=")).map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    }));
  } catch {
    return {};
  }
}

/**
 * Deno fetches npm: imports from the registry npm is configured with, trusting what npm trusts: a
 * `cafile` in npm's config (a registry behind a TLS-inspecting proxy) is given to Deno as DENO_CERT
 * unless the environment already names one.
 */
export function denoEnv() {
  const npm = npmRegistrySettings();
  const registry = process.env.NPM_CONFIG_REGISTRY || npm.registry || "https://registry.npmjs.org/";
  const cafile = npm.cafile && npm.cafile !== "null" && !process.env.DENO_CERT && !process.env.NODE_EXTRA_CA_CERTS
    ? { DENO_CERT: npm.cafile }
    : {};
  return { ...process.env, ...cafile, NPM_CONFIG_REGISTRY: registry, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
}
