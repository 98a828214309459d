// The project's secret key, from the environment Supabase gives every function: the service calls
// Storage and its own functions with it, and signs cursors with it unless CURSOR_SECRET is set.

/** The default of SUPABASE_SECRET_KEYS, else the single or legacy variable; `use` says what for. */
export function secretKey(use: string): string {
  const keys = Deno.env.get("SUPABASE_SECRET_KEYS");
  const fromKeys = keys ? (JSON.parse(keys) as Record<string, string>).default : undefined;
  const key = fromKeys ?? Deno.env.get("SUPABASE_SECRET_KEY") ?? Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");
  if (!key) throw new Error(`no secret key ${use}: SUPABASE_SECRET_KEYS is not set`);
  return key;
}
