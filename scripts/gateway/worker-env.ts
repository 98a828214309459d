// The environment a function worker starts with. Workers start from an empty environment, as the
// edge runtime's do, so neither GATEWAY_CONFIG (which holds the legacy JWT secret) nor the
// developer's shell variables reach function code: only what Deno itself needs is carried over.
const CARRIED_OVER = [
  // Deno's module and npm caches (npm: specifiers resolve from there offline) and ~/.npmrc.
  "HOME",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  // The registry npm: specifiers come from (scripts/lib/deno.mjs sets it from npm's config).
  "NPM_CONFIG_REGISTRY",
  "npm_config_registry",
  // TLS trust and proxies, for the registry and for the functions' own outbound calls. Deno, like
  // Node, adds the certificates NODE_EXTRA_CA_CERTS names to its own store: where the registry is
  // reached through a TLS-inspecting proxy, that is the variable the machine sets.
  "DENO_CERT",
  "NODE_EXTRA_CA_CERTS",
  "DENO_TLS_CA_STORE",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  // Plain logs in the functions log.
  "NO_COLOR",
  "DENO_NO_UPDATE_CHECK",
];

/** The variables Deno needs, taken from the gateway's environment; the hosted runtime's time zone. */
export function denoRuntimeEnv(): Record<string, string> {
  const from = Deno.env.toObject();
  const carried = CARRIED_OVER.filter((name) => from[name] !== undefined).map((name) => [name, from[name]]);
  return { ...Object.fromEntries(carried), TZ: "UTC" };
}
