// Long-lived database sessions for the measurements, one per way of searching, so that each keeps
// its own plan caches and planner settings for the whole run, as a pooled connection would.
import pg from "pg";
import { dbUrl } from "../../scripts/lib/config.mjs";

export async function connect(database) {
  const client = new pg.Client({ connectionString: dbUrl(database), application_name: "contacts-bench" });
  await client.connect();
  return client;
}

/**
 * Makes the session an API caller, as PostgREST and withPostgresClient do per request: the
 * `authenticated` role (RLS applies) and the token's claims in request.jwt.claims. Session-wide
 * (is_local false) because every query of this session runs as the same caller.
 */
export async function actAs(client, claims) {
  await client.query("set role authenticated");
  await client.query("select set_config('request.jwt.claims', $1, false)", [JSON.stringify(claims)]);
}

/**
 * Runs `fn` as the session's superuser (needed to load auto_explain or change its settings), then
 * returns to the API role; the claims stay, they are a plain setting.
 */
export async function asSuperuser(client, fn) {
  await client.query("reset role");
  try {
    return await fn();
  } finally {
    await client.query("set role authenticated");
  }
}
