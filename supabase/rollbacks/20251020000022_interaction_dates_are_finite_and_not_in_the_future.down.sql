-- Rollback of 20251020000022_interaction_dates_are_finite_and_not_in_the_future: retention_contacts_batch
-- as 20251004000003 made it, retention_run_start as 20251009000002 left it, and no check of
-- interactions' dates.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.retention_contacts_batch(
  owner_id uuid, action text, cutoff timestamptz, after_at timestamptz, after_id uuid,
  window_size integer, dry_run boolean, suppress boolean,
  out examined bigint, out affected bigint, out last_at timestamptz, out last_id uuid, out more boolean)
returns record
language plpgsql
set search_path = ''
-- Bounded by the window, as the interactions batch (above).
set enable_bitmapscan = off
set enable_seqscan = off
as $$
declare
  targets uuid[];
  doomed uuid[];
begin
  select count(*), (array_agg(w.created_at order by w.created_at desc, w.id desc))[1],
    (array_agg(w.id order by w.created_at desc, w.id desc))[1],
    coalesce(array_agg(w.id) filter (where w.target), '{}')
  into examined, last_at, last_id, targets
  from (
    select c.id, c.created_at,
      not c.legal_hold and (retention_contacts_batch.action = 'delete' or c.status <> 'anonymized')
      and not exists (
        select 1 from public.contact_interactions i
        where i.contact_id = c.id and i.user_id = c.user_id and i.occurred_at >= retention_contacts_batch.cutoff) as target
    from public.contacts c
    where c.user_id = retention_contacts_batch.owner_id
      and c.created_at < retention_contacts_batch.cutoff
      and c.created_at >= coalesce(retention_contacts_batch.after_at, '-infinity')
      and (retention_contacts_batch.after_at is null
           or (c.created_at, c.id) > (retention_contacts_batch.after_at, retention_contacts_batch.after_id))
    order by c.created_at, c.id
    limit retention_contacts_batch.window_size
  ) w;
  more := examined = retention_contacts_batch.window_size;

  if retention_contacts_batch.dry_run or cardinality(targets) = 0 then
    affected := cardinality(targets);
    return;
  end if;
  -- Lock order as in gdpr_delete_contact: the contact first, then its children (by cascade).
  select coalesce(array_agg(x.id), '{}') into doomed
  from (
    select c.id from public.contacts c
    where c.id = any (targets) and c.user_id = retention_contacts_batch.owner_id and not c.legal_hold
      and not exists (
        select 1 from public.contact_interactions i
        where i.contact_id = c.id and i.user_id = c.user_id and i.occurred_at >= retention_contacts_batch.cutoff)
    for update of c skip locked
  ) x;
  if cardinality(doomed) = 0 then
    affected := 0;
    return;
  end if;
  if retention_contacts_batch.suppress then
    perform private.suppress_identifiers(retention_contacts_batch.owner_id, array(
      select private.channel_identifier_key(ch.channel_type, ch.normalized_identifier)
      from public.contact_communication_channels ch
      where ch.contact_id = any (doomed) and ch.user_id = retention_contacts_batch.owner_id));
  end if;
  if retention_contacts_batch.action = 'delete' then
    delete from public.contacts c where c.id = any (doomed) and c.user_id = retention_contacts_batch.owner_id;
  else
    perform private.anonymize_contacts(doomed);
  end if;
  affected := cardinality(doomed);
end;
$$;
comment on function private.retention_contacts_batch(uuid, text, timestamptz, timestamptz, uuid, integer, boolean, boolean) is
  'One retention batch of an inactive_contacts policy: examines at most window_size of the owner''s contacts created before the cutoff, deletes or anonymizes those without an interaction since and not under legal hold (suppressing their identifiers first when asked).';

create or replace function private.retention_run_start(
  dry_run boolean, owner_id uuid, max_batches bigint, source text, batch_size integer, session_lock boolean)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  locked boolean;
  resumed bigint;
  new_run bigint;
  sweep_min_rows bigint;
  candidates bigint;
  previous_lock_timeout constant text := pg_catalog.current_setting('lock_timeout');
begin
  locked := case when retention_run_start.session_lock then pg_catalog.pg_try_advisory_lock(private.retention_lock_key())
                 else pg_catalog.pg_try_advisory_xact_lock(private.retention_lock_key()) end;
  if not locked then
    insert into private.retention_runs (source, dry_run, owner_id, max_batches, batch_size, status, finished_at, error)
    values (retention_run_start.source, retention_run_start.dry_run, retention_run_start.owner_id,
      retention_run_start.max_batches, retention_run_start.batch_size, 'skipped', clock_timestamp(), 'another retention run holds the lock')
    returning id into new_run;
    return new_run;
  end if;

  -- With the lock held, a run still marked running has lost its session.
  update private.retention_runs r
  set status = 'interrupted', finished_at = clock_timestamp(), error = 'its session ended before the run finished'
  where r.status = 'running';

  if not retention_run_start.dry_run then
    select r.id into resumed
    from private.retention_runs r
    where r.id = (select max(x.id) from private.retention_runs x where not x.dry_run and x.status <> 'skipped')
      and r.status in ('stopped', 'failed', 'interrupted');
  end if;

  insert into private.retention_runs (source, dry_run, owner_id, max_batches, batch_size, resumed_run_id,
    sweep_next_at, sweep_end_at, sweep_window, sweep_skipped_locked)
  select retention_run_start.source, retention_run_start.dry_run, retention_run_start.owner_id,
    retention_run_start.max_batches, retention_run_start.batch_size, resumed,
    -- An unfinished sweep goes on where it stopped.
    case when prev.sweep_next_at < prev.sweep_end_at then prev.sweep_next_at end,
    case when prev.sweep_next_at < prev.sweep_end_at then prev.sweep_end_at end,
    case when prev.sweep_next_at < prev.sweep_end_at then prev.sweep_window end,
    coalesce(prev.sweep_next_at < prev.sweep_end_at and prev.sweep_skipped_locked, false)
  from (select 1) one
  left join private.retention_runs prev on prev.id = resumed
  returning id into new_run;

  insert into private.retention_run_items
    (run_id, policy_id, user_id, data_class, action, retain_days, suppress_identifiers, cutoff, position_at, position_id, swept)
  select new_run, p.id, p.user_id, p.data_class, p.action, p.retain_days, p.suppress_identifiers,
    coalesce(prev.cutoff, now() - make_interval(days => p.retain_days)),
    -- From the watermark on: everything older is gone but for held rows (nil uuid: all of its instant).
    case when prev.policy_id is not null then prev.position_at else w.clean_before end,
    case when prev.policy_id is not null then prev.position_id
         when w.clean_before is not null then '00000000-0000-0000-0000-000000000000' end,
    coalesce(prev.swept, false)
  from public.contact_retention_policies p
  left join private.retention_run_items prev
    on prev.run_id = resumed and prev.policy_id = p.id and prev.finished_at is null
   and prev.data_class = p.data_class and prev.action = p.action and prev.retain_days = p.retain_days
   and prev.suppress_identifiers = p.suppress_identifiers
  left join private.retention_watermarks w
    on w.user_id = p.user_id and w.data_class = p.data_class and w.action = p.action
  where p.is_enabled and (retention_run_start.owner_id is null or p.user_id = retention_run_start.owner_id);

  if exists (select 1 from private.retention_runs r where r.id = new_run and r.sweep_end_at is not null) then
    return new_run;
  end if;
  sweep_min_rows := coalesce(nullif(pg_catalog.current_setting('contacts.retention_sweep_min_rows', true), '')::bigint,
    greatest(10000, (select c.reltuples::bigint / 20 from pg_catalog.pg_class c where c.oid = 'public.contact_interactions'::regclass)));
  select count(*) into candidates
  from (
    select 1
    from private.retention_run_items it
    cross join lateral (
      select 1 from public.contact_interactions i
      where i.user_id = it.user_id and i.occurred_at < it.cutoff and i.occurred_at >= coalesce(it.position_at, '-infinity')
      limit sweep_min_rows
    ) x
    where it.run_id = new_run and it.data_class = 'interactions' and it.action = 'delete'
    limit sweep_min_rows
  ) y;
  if candidates >= sweep_min_rows then
    update private.retention_run_items it set swept = true
    where it.run_id = new_run and it.data_class = 'interactions' and it.action = 'delete';
    if retention_run_start.session_lock and not retention_run_start.dry_run then
      begin
        -- Writers still running finish first (so the span below sees their rows); later ones wait
        -- until this transaction commits, and their triggers then see the pending watermarks.
        perform pg_catalog.set_config('lock_timeout', '100ms', true);
        lock table public.contact_interactions in share mode;
        perform pg_catalog.set_config('lock_timeout', previous_lock_timeout, true);
        insert into private.retention_watermarks as w (user_id, data_class, action, pending_before)
        select it.user_id, it.data_class, it.action, it.cutoff
        from private.retention_run_items it
        where it.run_id = new_run and it.swept
        on conflict (user_id, data_class, action) do update
          set pending_before = excluded.pending_before, pending_void = false, recorded_at = clock_timestamp();
      exception when lock_not_available then
        null;
      end;
    end if;
    update private.retention_runs r
    set sweep_next_at = coalesce(span.first_at, span.last_cutoff), sweep_end_at = span.last_cutoff,
        sweep_window = greatest(interval '1 second', (span.last_cutoff - coalesce(span.first_at, span.last_cutoff)) / 1000)
    from (
      select min(f.first_at) as first_at, max(it.cutoff) as last_cutoff
      from private.retention_run_items it
      left join lateral (
        select i.occurred_at as first_at from public.contact_interactions i
        where i.user_id = it.user_id and i.occurred_at < it.cutoff and i.occurred_at >= coalesce(it.position_at, '-infinity')
        order by i.occurred_at
        limit 1
      ) f on true
      where it.run_id = new_run and it.swept
    ) span
    where r.id = new_run;
  end if;
  return new_run;
end;
$$;
comment on function private.retention_run_start(boolean, uuid, bigint, text, integer, boolean) is
  'Starts a retention run (or logs it as skipped when another run holds the lock); decides whether its interactions deletes sweep the table; returns its id.';

drop trigger contact_interactions_check_occurred_at on public.contact_interactions;
drop function private.check_interaction_occurred_at();
