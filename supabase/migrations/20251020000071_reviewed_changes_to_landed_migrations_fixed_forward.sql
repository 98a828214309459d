-- Migrations 56, 60, 61 and 62 landed in their first form; the changes their reviews made were
-- then written into those files, which a landed migration never is. They are fixed forward here,
-- with the same results for a database migrated from scratch:
--  - undo keeps a contact the import created once a contact the import did not create was merged
--    into it; two contacts of the same file merged into one are still both removed (56);
--  - private.import_contacts_batch plans each call with the real owner (force_custom_plan): planned
--    generic, its match of channels by type and address walked a big owner's share of the index
--    per row (60);
--  - an anonymized contact's legal hold can still be placed and lifted (61);
--  - the service role keeps the update privilege on the audit trail, which retention's row locks
--    (select ... for update) need, and a statement trigger refuses the update itself to every API
--    role (62).
-- Two one-time repairs of data cannot be redone here, and a database that ran the first forms keeps
-- what they did: 57 converted stored names to NFC without moving the import change-log entries
-- that knew those contacts (undo then takes them as changed, and keeps them), and 61 anonymized
-- every contact marked anonymized by hand, those under legal hold included.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.undo_import_job(job_id uuid, max_changes integer default 5000)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  job public.contact_import_jobs;
  batch public.contact_import_changes[];
  totals jsonb;
  removed bigint;
  restored bigint;
  unchanged uuid[];
  -- Entries (not contacts): a contact may hold another entry of the job, moved onto it by a merge.
  restorable bigint[];
  removable uuid[];
  channel_ids uuid[];
  remaining boolean;
begin
  -- Locked: a resume (failed -> processing) waits for this undo, and then sees it began.
  select j.* into job from public.contact_import_jobs j where j.id = undo_import_job.job_id for update;
  if not found or not (private.is_service_caller() or (job.user_id = (select auth.uid()) and private.current_agent_id() is null)) then
    raise exception 'import job not found' using errcode = 'P0002';
  end if;
  if job.dry_run then
    raise exception 'a dry run changed no contacts: there is nothing to undo' using errcode = '55000';
  end if;
  if job.undone_at is not null then
    raise exception 'this import was already undone' using errcode = '55000';
  end if;
  if job.status in ('pending', 'processing') or not pg_try_advisory_xact_lock(private.import_job_lock_key(job.id)) then
    raise exception 'this import is still running: cancel it, or wait until it ends, then undo it' using errcode = '55000';
  end if;
  totals := coalesce(job.undo_summary, '{"removed": 0, "restored": 0, "kept": 0}'::jsonb);

  batch := array(
    select ic from public.contact_import_changes ic
    where ic.user_id = job.user_id and ic.job_id = job.id
    order by ic.id
    limit greatest(undo_import_job.max_changes, 1));

  -- The contacts whose own row nothing changed since the import (updated_at is the one it left),
  -- locked until this undo commits; a row referencing one of them (a channel, an interaction, a
  -- membership, a grant) takes a key-share lock on it, so none can be added meanwhile. Their
  -- channels are locked as well: a consent change does not touch the contact.
  unchanged := array(
    select c.id
    from unnest(batch) b
    cross join lateral (
      select c.id from public.contacts c
      where c.id = b.contact_id and c.user_id = job.user_id and c.updated_at = b.contact_updated_at
      order by c.id
      offset 0
      for update
    ) as c);
  perform 1 from public.contact_communication_channels ch
  where ch.contact_id = any (unchanged) and ch.user_id = job.user_id
  for update;

  -- Judged in a statement of its own, after the locks: it sees every change committed before them.
  select coalesce(array_agg(b.id) filter (where b.action = 'updated' and k.external_id_free and not k.touched), '{}'),
         coalesce(array_agg(b.contact_id) filter (where b.action = 'created' and not k.legal_hold and not k.touched), '{}')
  into restorable, removable
  from unnest(batch) b
  cross join lateral (
    select c.legal_hold,
      -- What was added since the import: for a contact it created, anything; for one it updated,
      -- what came after its write (the change log's time: the import's own consent change of a
      -- channel is not one), and any interaction on a channel the import added. A channel of an
      -- updated contact changed since keeps that channel only (it is not removed), not the contact.
      (exists (select 1 from public.contact_communication_channels ch
               where ch.contact_id = c.id and ch.user_id = c.user_id
                 and case when b.action = 'created' then ch.updated_at else ch.created_at end > b.created_at)
        or exists (select 1 from public.contact_interactions i
                   where i.contact_id = c.id and i.user_id = c.user_id
                     and (b.action = 'created' or i.created_at > b.created_at or i.channel_id = any (b.added_channel_ids)))
        or exists (select 1 from public.contact_group_memberships m
                   where m.contact_id = c.id and m.user_id = c.user_id
                     and m.group_id is distinct from (job.options ->> 'group_id')::uuid
                     and (b.action = 'created' or m.created_at > b.created_at))
        or exists (select 1 from public.agent_specific_contact_access a
                   where a.contact_id = c.id and a.user_id = c.user_id
                     and (b.action = 'created' or a.created_at > b.created_at))
        -- A contact the import created that absorbed another by a merge since now stands for that
        -- one too, even when the merge filled no field and moved no row onto it; unless what it
        -- absorbed was made by this import too: each such merge moved a "created" entry of the job
        -- onto it (marked -infinity), and only merges beyond those count.
        or (b.action = 'created'
            and (select count(*) from public.contact_merges m
                 where m.user_id = c.user_id and m.survivor_id = c.id and m.merged_at >= b.created_at)
              > (select count(*) from public.contact_import_changes o
                 where o.job_id = job.id and o.user_id = c.user_id and o.contact_id = c.id and o.id <> b.id
                   and o.action = 'created' and o.contact_updated_at = '-infinity'))
      ) as touched,
      b.previous ->> 'external_id' is null or not exists (
        select 1 from public.contacts o
        where o.user_id = c.user_id and o.external_id = b.previous ->> 'external_id' and o.id <> c.id) as external_id_free
    from public.contacts c
    -- Each entry by its own time: a contact can carry two entries of one job once a merge moved
    -- the duplicate's onto it, and the survivor's unchanged row says nothing of the other's.
    where c.id = b.contact_id and c.user_id = job.user_id and c.id = any (unchanged) and c.updated_at = b.contact_updated_at
    offset 0
  ) as k;
  restored := cardinality(restorable);

  -- Updated contacts: the channels the import added go while unchanged, the membership it made goes,
  -- the overwritten fields come back.
  channel_ids := array(
    select ch.id
    from unnest(batch) b
    cross join lateral unnest(b.added_channel_ids) as a (id)
    join public.contact_communication_channels ch on ch.id = a.id and ch.user_id = job.user_id
    where b.action = 'updated' and b.id = any (restorable) and ch.updated_at = ch.created_at);
  delete from public.contact_communication_channels ch where ch.id = any (channel_ids) and ch.user_id = job.user_id;
  delete from public.contact_group_memberships m
  where m.group_id = (job.options ->> 'group_id')::uuid and m.user_id = job.user_id
    and m.contact_id in (select b.contact_id from unnest(batch) b where b.action = 'updated' and b.added_to_group and b.id = any (restorable));
  update public.contacts c
  set first_name = case when b.previous ? 'first_name' then b.previous ->> 'first_name' else c.first_name end,
      last_name = case when b.previous ? 'last_name' then b.previous ->> 'last_name' else c.last_name end,
      display_name = case when b.previous ? 'display_name' then b.previous ->> 'display_name' else c.display_name end,
      organization = case when b.previous ? 'organization' then b.previous ->> 'organization' else c.organization end,
      job_title = case when b.previous ? 'job_title' then b.previous ->> 'job_title' else c.job_title end,
      external_id = case when b.previous ? 'external_id' then b.previous ->> 'external_id' else c.external_id end,
      metadata = case when b.previous ? 'metadata' then b.previous -> 'metadata' else c.metadata end,
      tags = case when b.previous ? 'tags' then array(select jsonb_array_elements_text(b.previous -> 'tags')) else c.tags end
  from unnest(batch) b
  where c.id = b.contact_id and b.action = 'updated' and b.previous <> '{}'::jsonb and b.id = any (restorable);

  -- Created contacts that nothing changed since (and not under legal hold) are removed.
  delete from public.contacts c where c.id = any (removable) and c.user_id = job.user_id;
  get diagnostics removed = row_count;

  delete from public.contact_import_changes ic where ic.id in (select b.id from unnest(batch) b);
  remaining := exists (select 1 from public.contact_import_changes ic where ic.user_id = job.user_id and ic.job_id = job.id);
  totals := jsonb_build_object(
    'removed', (totals ->> 'removed')::bigint + removed,
    'restored', (totals ->> 'restored')::bigint + restored,
    'kept', (totals ->> 'kept')::bigint + cardinality(batch) - removed - restored);
  update public.contact_import_jobs j
  set undo_summary = totals, undone_at = case when remaining then null else now() end
  where j.id = job.id;
  return totals || jsonb_build_object('done', not remaining);
end;
$$;

alter function private.import_contacts_batch(uuid, json, json, bigint, bigint)
  set plan_cache_mode = force_custom_plan;

create or replace function private.keep_anonymization_marker()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- The API roles are held to it; the database owner (migrations, maintenance, definer code) is not.
  if pg_catalog.current_setting('contacts.anonymizing', true) is not distinct from 'on'
     or current_user not in ('authenticated', 'anon', 'service_role') then
    return new;
  end if;
  if tg_op = 'UPDATE' and old.status = 'anonymized' then
    -- A legal hold may still be placed on it and lifted (a hold is about the row, not the person).
    if (pg_catalog.to_jsonb(new) - array['legal_hold', 'legal_hold_reason', 'updated_at', 'search_vector', 'name_block'])
       = (pg_catalog.to_jsonb(old) - array['legal_hold', 'legal_hold_reason', 'updated_at', 'search_vector', 'name_block']) then
      return new;
    end if;
    raise exception 'an anonymized contact cannot be changed' using errcode = '55000';
  end if;
  raise exception 'only anonymization (gdpr-delete with mode anonymize, or a retention policy) marks a contact anonymized'
    using errcode = '42501';
end;
$$;
comment on trigger contacts_anonymized_stay_as_anonymization_left_them on public.contacts is
  'Only anonymization marks a contact anonymized, and an anonymized contact is not changed after but for its legal hold.';

grant update on table public.contact_audit_log to service_role;

create function private.keep_audit_trail()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- The database owner (migrations, maintenance) is not an API role.
  if current_user in ('authenticated', 'anon', 'service_role') then
    raise exception 'the audit trail is written by its triggers only' using errcode = '42501';
  end if;
  return null;
end;
$$;
comment on function private.keep_audit_trail() is
  'Trigger: no API role rewrites the audit trail (the service role may lock and delete entries, for retention).';
revoke execute on function private.keep_audit_trail() from public;
grant execute on function private.keep_audit_trail() to authenticated, service_role;

create trigger contact_audit_log_keep_audit_trail
  before update on public.contact_audit_log
  for each statement
  execute function private.keep_audit_trail();
comment on trigger contact_audit_log_keep_audit_trail on public.contact_audit_log is
  'The audit trail is not rewritten by any API role.';
