// Two sessions racing on the real database: waiting until one of them blocks on the other's lock.
import pg from "pg";
import { stack } from "./stack.ts";

/**
 * Until `waiters` backends other than `holder`'s wait for a lock (the sessions under test, reaching
 * the rows held), or `pending` settles first; at most 10 s.
 */
export async function untilWaitingForALock(holder: pg.Client, pending: Promise<unknown>, waiters = 1): Promise<void> {
  let settled = false;
  pending.then(() => (settled = true), () => (settled = true));
  for (const deadline = Date.now() + 10_000; !settled && Date.now() < deadline;) {
    // The holder is inside its transaction, which would otherwise keep reading one snapshot of the
    // activity view.
    await holder.query("select pg_stat_clear_snapshot()");
    const { rows } = await holder.query(
      `select 1 from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() and pid <> pg_backend_pid()`,
    );
    if (rows.length >= waiters) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A session with a token's claims, as PostgREST opens one, inside an open transaction. */
export async function claimsSession(
  claims: Record<string, unknown>,
  isolation: "read committed" | "repeatable read" | "serializable" = "read committed",
): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stack.dbUrl });
  await client.connect();
  await client.query(`begin isolation level ${isolation}`);
  await client.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)", [
    JSON.stringify({ role: "authenticated", ...claims }),
  ]);
  return client;
}
