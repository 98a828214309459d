// Who waits on a lock right now, for which lock, and who blocks them. One query, shared by
// `npm run db:health` and the migration runner's lock watcher (scripts/lib/lock-watch.mjs).

/**
 * Sessions waiting on a lock, each with the lock it waits for and the sessions blocking it. $1: an
 * application_name prefix to watch, or null for every session. Rows are JSON objects.
 */
export const LOCK_WAITS_SQL = `
  select json_build_object(
    'pid', w.pid,
    'user', w.usename,
    'application_name', w.application_name,
    'state', w.state,
    'wait_event', w.wait_event_type || ':' || w.wait_event,
    'waiting_for', (
      select l.mode || ' on ' || case
        when l.locktype = 'relation' then coalesce((
          select format('%I.%I', n.nspname, c.relname) from pg_catalog.pg_class c
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace where c.oid = l.relation), 'relation ' || l.relation)
        when l.locktype = 'transactionid' then 'transaction ' || l.transactionid
        when l.locktype = 'virtualxid' then 'virtual transaction ' || l.virtualxid
        when l.locktype = 'object' then 'object ' || l.objid || ' of ' || l.classid::regclass::text
        else l.locktype end
      from pg_catalog.pg_locks l where l.pid = w.pid and not l.granted limit 1),
    'waiting_ms', round(extract(epoch from clock_timestamp() - coalesce(
      (select min(l.waitstart) from pg_catalog.pg_locks l where l.pid = w.pid and not l.granted), w.query_start)) * 1000),
    'query', left(w.query, 1000),
    'blocked_by', coalesce((
      select json_agg(json_build_object(
          'pid', b.pid,
          'user', b.usename,
          'application_name', b.application_name,
          'state', b.state,
          'transaction_ms', round(extract(epoch from clock_timestamp() - b.xact_start) * 1000),
          'query', left(b.query, 1000))
        order by b.pid)
      from pg_catalog.pg_stat_activity b
      where b.pid = any (pg_catalog.pg_blocking_pids(w.pid))), '[]'::json)
  ) as wait
  from pg_catalog.pg_stat_activity w
  where w.wait_event_type = 'Lock'
    and w.pid <> pg_catalog.pg_backend_pid()
    and ($1::text is null or w.application_name like $1::text || '%')
  order by w.pid`;

const oneLine = (text, max = 200) => {
  const flat = String(text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
};

/** A lock wait in words: what waits for what, and each blocker with its state and query. */
export function describeLockWait(wait) {
  const blockers = wait.blocked_by.length
    ? wait.blocked_by.map(
        (b) =>
          `blocked by pid ${b.pid} (${b.user ?? "?"}${b.application_name ? `, ${b.application_name}` : ""}, ${b.state ?? "?"}` +
          `${b.transaction_ms != null ? `, in a transaction for ${b.transaction_ms} ms` : ""}): ${oneLine(b.query)}`,
      )
    : ["blocked by a session that released its lock before it could be identified"];
  return [`pid ${wait.pid} waits for ${wait.waiting_for ?? "a lock"} (${wait.waiting_ms} ms): ${oneLine(wait.query)}`, ...blockers.map((line) => `  ${line}`)].join("\n");
}
