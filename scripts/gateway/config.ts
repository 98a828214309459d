// The gateway's settings, handed over by scripts/lib/gateway.mjs (or a test) in GATEWAY_CONFIG.
import { z } from "zod";

const GatewayConfig = z.object({
  root: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
  jwtSecret: z.string().min(1),
  env: z.record(z.string(), z.string()),
  wallClockMs: z.number().int().positive(),
  memoryMb: z.number().int().positive(),
  /** How long a request waits for a function that is starting before it is answered 503. */
  bootTimeoutMs: z.number().int().positive().optional(),
});

export type GatewayConfig = z.infer<typeof GatewayConfig>;

/**
 * Reads GATEWAY_CONFIG and removes it from the environment: it holds the legacy JWT secret, which
 * nothing the gateway starts should see.
 */
export function takeGatewayConfig(): GatewayConfig {
  const raw = Deno.env.get("GATEWAY_CONFIG");
  Deno.env.delete("GATEWAY_CONFIG");
  if (!raw) throw new Error("GATEWAY_CONFIG is not set");
  const parsed = GatewayConfig.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`GATEWAY_CONFIG: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
