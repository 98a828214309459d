-- A dry run's claims (the identifiers its earlier rows would have taken) live exactly as long as the
-- run can need them. They were removed by the worker after it marked the run completed, in a
-- statement of its own, and never when the owner cancelled the run: the identifiers of a cancelled
-- run stayed until its job was deleted, beyond the erasure paths, after its file was gone. They
-- now go in the transaction that completes or cancels the run, whoever does it. A failed run keeps
-- them, as it keeps its file, to be resumed.
--
-- The table is also logged now. Unlogged, a database crash emptied it, and a dry run resumed after
-- the crash counted rows that repeat earlier ones as new; the claims are a small share of a dry
-- run's writes, and a real import writes far more.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table private.contact_import_dry_run_claims set logged;
comment on table private.contact_import_dry_run_claims is 'Claims of a dry run in progress: identifiers (by channel type), external ids and existing contacts its earlier rows would have taken. Removed when the run completes or is cancelled.';

create function private.drop_dry_run_claims()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from private.contact_import_dry_run_claims d where d.job_id = new.id and d.user_id = new.user_id;
  return null;
end;
$$;
comment on function private.drop_dry_run_claims() is 'Trigger: removes a dry run''s claims once it completes or is cancelled. Security definer: owners cancel their runs, and the claims are the import''s own.';
revoke execute on function private.drop_dry_run_claims() from public;
grant execute on function private.drop_dry_run_claims() to authenticated, service_role;

create trigger contact_import_jobs_drop_dry_run_claims
  after update of status on public.contact_import_jobs
  for each row
  when (new.dry_run and new.status in ('completed', 'cancelled') and old.status is distinct from new.status)
  execute function private.drop_dry_run_claims();
