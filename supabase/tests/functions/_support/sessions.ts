// Two sessions racing on the real database: waiting until one of them blocks on the other's lock.
import type pg from "pg";

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
