-- Rolls back 20251019000006_import_records_consent_on_existing_channels: import_apply_batch as 20251017000001, import_dry_run_batch as
-- 20251018000003 and undo_import_job as 20251019000005 defined them; no import_consent_applies.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.import_apply_batch(job public.contact_import_jobs, plan private.contact_import_plan[], policy text, target_group uuid)
returns void
language plpgsql
volatile
set search_path = ''
set enable_seqscan = off
as $$
begin
  -- Locked in the order of their ids, a probe per contact by primary key.
  if exists (
    select 1
    from (select distinct p.contact_id from unnest(import_apply_batch.plan) p where p.outcome = 'update' order by 1) as u
    left join lateral (
      select c.id from public.contacts c where c.id = u.contact_id and c.user_id = job.user_id offset 0 for update
    ) as c on true
    where c.id is null
  ) then
    raise exception 'a contact this import batch would update was deleted after the batch was planned'
      using errcode = '40001', hint = 'Run the batch again: it is planned afresh.';
  end if;

  insert into public.contacts (id, user_id, first_name, last_name, display_name, organization, job_title, metadata, tags,
    source, external_id)
  select p.contact_id, job.user_id, (p.item).first_name, (p.item).last_name,
    coalesce((p.item).display_name, nullif(btrim(concat_ws(' ', (p.item).first_name, (p.item).last_name)), ''),
      (p.item).organization, (p.item).channels -> 0 ->> 'v'),
    (p.item).organization, (p.item).job_title, coalesce((p.item).metadata, '{}'::jsonb), coalesce((p.item).tags, '{}'::text[]),
    'import', (p.item).external_id
  from unnest(import_apply_batch.plan) p
  where p.outcome = 'create';

  insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary,
    consent_status, consent_source)
  select job.user_id, p.contact_id, c.t, c.v, c.p, coalesce(c.c, 'unknown'),
    case when c.c is not null then 'import ' || job.id::text end
  from unnest(import_apply_batch.plan) p
  cross join lateral jsonb_to_recordset((p.item).channels) as c (t text, v text, p boolean, c text)
  where p.outcome = 'create';

  insert into public.contact_group_memberships (group_id, contact_id, user_id)
  select import_apply_batch.target_group, p.contact_id, job.user_id
  from unnest(import_apply_batch.plan) p
  where p.outcome = 'create' and import_apply_batch.target_group is not null;

  insert into public.contact_import_changes (job_id, contact_id, user_id, action, added_to_group, contact_updated_at)
  select job.id, p.contact_id, job.user_id, 'created', import_apply_batch.target_group is not null, now()
  from unnest(import_apply_batch.plan) p
  where p.outcome = 'create';

  with t as (
    select p.contact_id, p.item, c.updated_at as old_updated_at,
      c.first_name as old_first_name, c.last_name as old_last_name, c.display_name as old_display_name,
      c.organization as old_organization, c.job_title as old_job_title, c.external_id as old_external_id,
      c.metadata as old_metadata, c.tags as old_tags,
      private.import_merged_value(import_apply_batch.policy, c.first_name, (p.item).first_name) as first_name,
      private.import_merged_value(import_apply_batch.policy, c.last_name, (p.item).last_name) as last_name,
      private.import_merged_value(import_apply_batch.policy, c.display_name, (p.item).display_name) as display_name,
      private.import_merged_value(import_apply_batch.policy, c.organization, (p.item).organization) as organization,
      private.import_merged_value(import_apply_batch.policy, c.job_title, (p.item).job_title) as job_title,
      private.import_merged_value(import_apply_batch.policy, c.external_id, (p.item).external_id) as external_id,
      private.import_merged_metadata(import_apply_batch.policy, c.metadata, (p.item).metadata) as metadata,
      c.tags || array(select x from unnest(coalesce((p.item).tags, '{}'::text[])) as tag (x) where x <> all (c.tags)) as tags
    from unnest(import_apply_batch.plan) p
    -- A probe per row by primary key (offset 0 keeps it one), whatever the table's statistics say;
    -- locked, so that the values merged and the previous values kept for undo are the latest.
    cross join lateral (
      select c.* from public.contacts c where c.id = p.contact_id and c.user_id = job.user_id offset 0 for update
    ) as c
    where p.outcome = 'update'
  ),
  changed as (
    update public.contacts c
    set first_name = t.first_name, last_name = t.last_name, display_name = t.display_name, organization = t.organization,
        job_title = t.job_title, external_id = t.external_id, metadata = t.metadata, tags = t.tags
    from t
    where c.id = t.contact_id
      and (t.old_first_name, t.old_last_name, t.old_display_name, t.old_organization, t.old_job_title, t.old_external_id,
           t.old_metadata, t.old_tags)
          is distinct from (t.first_name, t.last_name, t.display_name, t.organization, t.job_title, t.external_id, t.metadata, t.tags)
    returning c.id, c.updated_at
  ),
  added as (
    insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary,
      consent_status, consent_source)
    select job.user_id, t.contact_id, c.t, c.v,
      c.p and not exists (
        select 1 from public.contact_communication_channels e
        where e.contact_id = t.contact_id and e.user_id = job.user_id and e.channel_type = c.t and e.is_primary),
      coalesce(c.c, 'unknown'), case when c.c is not null then 'import ' || job.id::text end
    from t
    cross join lateral jsonb_to_recordset((t.item).channels) as c (t text, v text, nv text, p boolean, c text)
    where not exists (
      select 1 from public.contact_communication_channels e
      where e.user_id = job.user_id and e.channel_type = c.t and e.normalized_identifier = c.nv)
    returning id, contact_id
  ),
  added_by_contact as (
    select a.contact_id, array_agg(a.id) as ids from added a group by a.contact_id
  ),
  grouped as (
    insert into public.contact_group_memberships (group_id, contact_id, user_id)
    select import_apply_batch.target_group, t.contact_id, job.user_id from t where import_apply_batch.target_group is not null
    on conflict do nothing
    returning contact_id
  )
  insert into public.contact_import_changes (job_id, contact_id, user_id, action, previous, added_channel_ids, added_to_group,
    contact_updated_at)
  select job.id, t.contact_id, job.user_id, 'updated',
    (select coalesce(jsonb_object_agg(f.field, f.previous), '{}'::jsonb)
     from (values
       ('first_name', to_jsonb(t.old_first_name), t.old_first_name is distinct from t.first_name),
       ('last_name', to_jsonb(t.old_last_name), t.old_last_name is distinct from t.last_name),
       ('display_name', to_jsonb(t.old_display_name), t.old_display_name is distinct from t.display_name),
       ('organization', to_jsonb(t.old_organization), t.old_organization is distinct from t.organization),
       ('job_title', to_jsonb(t.old_job_title), t.old_job_title is distinct from t.job_title),
       ('external_id', to_jsonb(t.old_external_id), t.old_external_id is distinct from t.external_id),
       ('metadata', t.old_metadata, t.old_metadata is distinct from t.metadata),
       ('tags', to_jsonb(t.old_tags), t.old_tags is distinct from t.tags)
     ) as f (field, previous, differs)
     where f.differs),
    coalesce(a.ids, '{}'::uuid[]),
    g.contact_id is not null,
    coalesce(ch.updated_at, t.old_updated_at)
  from t
  left join added_by_contact a on a.contact_id = t.contact_id
  left join grouped g on g.contact_id = t.contact_id
  left join changed ch on ch.id = t.contact_id;
end;
$$;

create or replace function private.import_dry_run_batch(job public.contact_import_jobs, plan private.contact_import_plan[], policy text,
  failures json)
returns void
language plpgsql
volatile
set search_path = ''
set enable_seqscan = off
as $$
declare
  report constant jsonb := coalesce(job.dry_run_report, '{"new": [], "changed": [], "failing": []}'::jsonb);
begin
  insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number, contact_id)
  select job.id, job.user_id, c.kind, c.value, (p.item).n, case when p.outcome = 'update' then p.contact_id end
  from unnest(import_dry_run_batch.plan) p
  cross join lateral (
    select ch.t, ch.nv from jsonb_to_recordset((p.item).channels) as ch (t text, nv text)
    union all
    select 'external_id', (p.item).external_id where (p.item).external_id is not null
    union all
    select 'contact', p.contact_id::text where p.outcome = 'update'
  ) as c (kind, value)
  where p.outcome in ('create', 'update')
  on conflict do nothing;

  update public.contact_import_jobs j
  set dry_run_report = jsonb_build_object(
    'new', report -> 'new' || coalesce((
      select jsonb_agg(s.entry) from (
        select jsonb_build_object('row', (p.item).n,
          'display_name', coalesce((p.item).display_name, nullif(btrim(concat_ws(' ', (p.item).first_name, (p.item).last_name)), ''),
            (p.item).organization, (p.item).channels -> 0 ->> 'v'),
          'identifiers', (select coalesce(jsonb_agg(ch -> 'nv'), '[]'::jsonb) from jsonb_array_elements((p.item).channels) as chs (ch))) as entry
        from unnest(import_dry_run_batch.plan) p where p.outcome = 'create'
        order by (p.item).n limit greatest(10 - jsonb_array_length(report -> 'new'), 0)) as s), '[]'::jsonb),
    'changed', report -> 'changed' || coalesce((
      select jsonb_agg(s.entry) from (
        select jsonb_build_object('row', (p.item).n, 'contact_id', p.contact_id, 'changes', (
          select coalesce(jsonb_object_agg(f.field, jsonb_build_object('from', f.before, 'to', f.after)), '{}'::jsonb)
          -- The fields import_apply_batch writes, merged as it merges them.
          from (values
            ('first_name', to_jsonb(c.first_name), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.first_name, (p.item).first_name))),
            ('last_name', to_jsonb(c.last_name), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.last_name, (p.item).last_name))),
            ('display_name', to_jsonb(c.display_name), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.display_name, (p.item).display_name))),
            ('organization', to_jsonb(c.organization), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.organization, (p.item).organization))),
            ('job_title', to_jsonb(c.job_title), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.job_title, (p.item).job_title))),
            ('external_id', to_jsonb(c.external_id), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.external_id, (p.item).external_id))),
            ('metadata', c.metadata, private.import_merged_metadata(import_dry_run_batch.policy, c.metadata, (p.item).metadata)),
            ('tags', to_jsonb(c.tags), to_jsonb(c.tags || array(
              select x from unnest(coalesce((p.item).tags, '{}'::text[])) as tag (x) where x <> all (c.tags))))
          ) as f (field, before, after)
          where f.before is distinct from f.after),
          -- The channels it would add: those of the row that nobody holds yet.
          'new_channels', (
            select coalesce(jsonb_agg(jsonb_build_object('type', ch.t, 'identifier', ch.nv) order by ch.col), '[]'::jsonb)
            from jsonb_to_recordset((p.item).channels) as ch (t text, nv text, col text)
            where not exists (
              select 1 from public.contact_communication_channels e
              where e.user_id = job.user_id and e.channel_type = ch.t and e.normalized_identifier = ch.nv))) as entry
        from (
          select p.* from unnest(import_dry_run_batch.plan) p where p.outcome = 'update'
          order by (p.item).n limit greatest(10 - jsonb_array_length(report -> 'changed'), 0)
        ) as p
        cross join lateral (
          select c.* from public.contacts c where c.id = p.contact_id and c.user_id = job.user_id offset 0
        ) as c) as s), '[]'::jsonb),
    'failing', report -> 'failing' || coalesce((
      select jsonb_agg(s.entry) from (
        select jsonb_build_object('row', e.n, 'column', e.column_name, 'value', e.value_excerpt, 'reason', e.reason) as entry
        from (
          select (p.item).n, p.column_name, p.value_excerpt, p.reason from unnest(import_dry_run_batch.plan) p where p.outcome = 'fail'
          union all
          select f.row_number, f.column_name, left(f.value_excerpt, 200), f.reason
          from json_to_recordset(import_dry_run_batch.failures)
            as f (row_number bigint, column_name text, value_excerpt text, reason text, outcome text)
          where f.outcome = 'fail'
        ) as e (n, column_name, value_excerpt, reason)
        order by e.n limit greatest(10 - jsonb_array_length(report -> 'failing'), 0)) as s), '[]'::jsonb))
  where j.id = job.id;
end;
$$;

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
  restorable uuid[];
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
  select coalesce(array_agg(b.contact_id) filter (where b.action = 'updated' and k.external_id_free and not k.touched), '{}'),
         coalesce(array_agg(b.contact_id) filter (where b.action = 'created' and not k.legal_hold and not k.touched), '{}')
  into restorable, removable
  from unnest(batch) b
  cross join lateral (
    select c.legal_hold,
      -- What was added since the import: for a contact it created, anything; for one it updated,
      -- what came after its write, and any interaction on a channel the import added.
      (exists (select 1 from public.contact_communication_channels ch
               where ch.contact_id = c.id and ch.user_id = c.user_id and ch.updated_at > b.contact_updated_at)
        or exists (select 1 from public.contact_interactions i
                   where i.contact_id = c.id and i.user_id = c.user_id
                     and (b.action = 'created' or i.created_at > b.contact_updated_at or i.channel_id = any (b.added_channel_ids)))
        or exists (select 1 from public.contact_group_memberships m
                   where m.contact_id = c.id and m.user_id = c.user_id
                     and m.group_id is distinct from (job.options ->> 'group_id')::uuid
                     and (b.action = 'created' or m.created_at > b.contact_updated_at))
        or exists (select 1 from public.agent_specific_contact_access a
                   where a.contact_id = c.id and a.user_id = c.user_id
                     and (b.action = 'created' or a.created_at > b.contact_updated_at))
      ) as touched,
      b.previous ->> 'external_id' is null or not exists (
        select 1 from public.contacts o
        where o.user_id = c.user_id and o.external_id = b.previous ->> 'external_id' and o.id <> c.id) as external_id_free
    from public.contacts c
    where c.id = b.contact_id and c.user_id = job.user_id and c.id = any (unchanged)
    offset 0
  ) as k;
  restored := (select count(distinct x) from unnest(restorable) as x);

  -- Updated contacts: the channels the import added go while unchanged, the membership it made goes,
  -- the overwritten fields come back.
  channel_ids := array(
    select ch.id
    from unnest(batch) b
    cross join lateral unnest(b.added_channel_ids) as a (id)
    join public.contact_communication_channels ch on ch.id = a.id and ch.user_id = job.user_id
    where b.action = 'updated' and b.contact_id = any (restorable) and ch.updated_at = ch.created_at);
  delete from public.contact_communication_channels ch where ch.id = any (channel_ids) and ch.user_id = job.user_id;
  delete from public.contact_group_memberships m
  where m.group_id = (job.options ->> 'group_id')::uuid and m.user_id = job.user_id
    and m.contact_id in (select b.contact_id from unnest(batch) b where b.action = 'updated' and b.added_to_group)
    and m.contact_id = any (restorable);
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
  where c.id = b.contact_id and b.action = 'updated' and b.previous <> '{}'::jsonb and b.contact_id = any (restorable);

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

drop function private.import_consent_applies(text, text, text);
