-- Under on_duplicate `update` the file's values win, but a new e-mail address or number a row gave
-- an existing contact was added beside the contact's primary one of its type, as a secondary: the
-- contact kept being written to at the old address, which the file had replaced. HubSpot and
-- Salesforce make the imported value the primary one. Now, under `update`, the row's first value
-- of a type (its primary) that the owner holds nowhere yet becomes the contact's primary of that
-- type, and the old primary stays as a secondary. A value the contact already has keeps its flag, and
-- merge_fill_empty still makes a new value primary only where the contact has none of its type.
-- The change log keeps the channels that lost the flag (previous.demoted_primary_channel_ids), and
-- undo gives it back to them once the channel the import added is gone (20251020000104); a dry run
-- shows the change (20251020000105; pgTAP 213).
-- Undo tells a channel edited since an import by its updated_at. A flag an import moves, or its
-- undo moves back, is no such edit: stamped, it would make the undo of an earlier import keep the
-- contact it created, or the channel it added, as edited. Moves made under the transaction-local
-- setting contacts.moving_primary_flags leave updated_at as it was.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.stamp_channel_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := case when pg_catalog.current_setting('contacts.moving_primary_flags', true) = 'on'
    then old.updated_at else now() end;
  return new;
end;
$$;
comment on function private.stamp_channel_updated_at() is
  'Trigger: stamps a channel''s updated_at on every update but the primary flags an import or its undo moves (under contacts.moving_primary_flags).';
revoke execute on function private.stamp_channel_updated_at() from public;
grant execute on function private.stamp_channel_updated_at() to authenticated, service_role;

create or replace trigger contact_communication_channels_set_updated_at
  before update on public.contact_communication_channels
  for each row execute function private.stamp_channel_updated_at();
comment on trigger contact_communication_channels_set_updated_at on public.contact_communication_channels is
  'Stamps updated_at, but not on the primary flags an import or its undo moves.';

create or replace function private.import_apply_batch(job public.contact_import_jobs, plan private.contact_import_plan[], policy text, target_group uuid)
returns void
language plpgsql
volatile
set search_path = ''
set enable_seqscan = off
set plan_cache_mode = force_generic_plan
set jit = off
as $$
declare
  -- The channels each updated contact's new primaries took the flag from: contact id -> channel ids.
  demoted jsonb;
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

  insert into public.contact_import_changes (job_id, contact_id, user_id, action, added_to_group, contact_updated_at, row_number)
  select job.id, p.contact_id, job.user_id, 'created', import_apply_batch.target_group is not null, now(),
    case when private.import_row_has_no_identifier(p.item) then (p.item).n end
  from unnest(import_apply_batch.plan) p
  where p.outcome = 'create';

  if import_apply_batch.policy = 'update' then
    -- Under update, a row's primary value of a type that nobody holds yet takes the flag from the
    -- contact's primary of that type (before the insert below, which the unique primary index checks).
    perform pg_catalog.set_config('contacts.moving_primary_flags', 'on', true);
    with lost_flag as (
      update public.contact_communication_channels e
      set is_primary = false
      from (
        select distinct p.contact_id, c.t, c.nv
        from unnest(import_apply_batch.plan) p
        cross join lateral jsonb_to_recordset((p.item).channels) as c (t text, nv text, p boolean)
        where p.outcome = 'update' and c.p
      ) as r
      where e.contact_id = r.contact_id and e.user_id = job.user_id and e.channel_type = r.t and e.is_primary
        and not exists (
          select 1 from public.contact_communication_channels x
          where x.user_id = job.user_id and x.channel_type = r.t and x.normalized_identifier = r.nv)
      returning e.contact_id, e.id
    )
    select jsonb_object_agg(l.contact_id, l.ids) into demoted
    from (select lost_flag.contact_id, jsonb_agg(lost_flag.id) as ids from lost_flag group by lost_flag.contact_id) as l;
    perform pg_catalog.set_config('contacts.moving_primary_flags', 'off', true);
  end if;

  with t as (
    select p.contact_id, p.item, c.updated_at as old_updated_at,
      c.first_name as old_first_name, c.last_name as old_last_name, c.display_name as old_display_name,
      c.organization as old_organization, c.job_title as old_job_title, c.external_id as old_external_id,
      c.metadata as old_metadata, c.tags as old_tags,
      private.import_merged_value(import_apply_batch.policy, c.first_name, (p.item).first_name) as first_name,
      private.import_merged_value(import_apply_batch.policy, c.last_name, (p.item).last_name) as last_name,
      private.import_merged_display_name(import_apply_batch.policy, job.user_id, c.id, c.first_name, c.last_name, c.display_name,
        c.organization, (p.item).first_name, (p.item).last_name, (p.item).display_name) as display_name,
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
  -- The consent the row gives for channels the contact already has: each change is recorded as a
  -- consent event with source import (the channel's trigger), and kept in the change log.
  consented as (
    update public.contact_communication_channels e
    set consent_status = x.given, consent_source = 'import ' || job.id::text
    from (
      select distinct on (e.id) e.id, t.contact_id, c.c as given, e.consent_status as old_status, e.consent_source as old_source
      from t
      cross join lateral jsonb_to_recordset((t.item).channels) as c (t text, nv text, c text)
      join public.contact_communication_channels e
        on e.user_id = job.user_id and e.channel_type = c.t and e.normalized_identifier = c.nv and e.contact_id = t.contact_id
      where private.import_consent_applies(import_apply_batch.policy, e.consent_status, c.c)
      order by e.id
    ) as x
    where e.id = x.id and e.user_id = job.user_id
    returning x.contact_id, e.id, x.old_status, x.old_source
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
     where f.differs)
    || coalesce((select jsonb_build_object('channel_consent', jsonb_object_agg(k.id, jsonb_build_object('status', k.old_status, 'source', k.old_source)))
                 from consented k where k.contact_id = t.contact_id having count(*) > 0), '{}'::jsonb)
    || case when demoted ? t.contact_id::text
         then jsonb_build_object('demoted_primary_channel_ids', demoted -> t.contact_id::text) else '{}'::jsonb end,
    coalesce(a.ids, '{}'::uuid[]),
    g.contact_id is not null,
    coalesce(ch.updated_at, t.old_updated_at)
  from t
  left join added_by_contact a on a.contact_id = t.contact_id
  left join grouped g on g.contact_id = t.contact_id
  left join changed ch on ch.id = t.contact_id;
end;
$$;
