-- The two ways a planned import batch ends: applied (contacts, channels, group memberships and the
-- change log undo reads) or, in a dry run, only remembered (claims) and sampled for the report.
-- Both run inside private.import_contacts_batch, as its owner; nobody calls them directly.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- Writes a planned batch. New contacts get the ids the plan chose, so their channels, memberships
-- and change rows follow in set-based statements. Duplicates are merged under the policy: update
-- overwrites with non-empty values, merge_fill_empty fills empty fields only; metadata keys are
-- merged the same way, tags are added, identifiers new to the contact are added as channels. The
-- change log keeps what undo needs: the previous values of overwritten fields, the added channels,
-- and the contact's updated_at after the import, to leave contacts that changed since.
create function private.import_apply_batch(job public.contact_import_jobs, plan private.contact_import_plan[], policy text, target_group uuid)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
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
      case when import_apply_batch.policy = 'update' then c.metadata || coalesce((p.item).metadata, '{}'::jsonb)
           else coalesce((p.item).metadata, '{}'::jsonb) || c.metadata end as metadata,
      c.tags || array(select x from unnest(coalesce((p.item).tags, '{}'::text[])) as tag (x) where x <> all (c.tags)) as tags
    from unnest(import_apply_batch.plan) p
    -- A probe per row by primary key (offset 0 keeps it one), whatever the table's statistics say.
    cross join lateral (
      select c.* from public.contacts c where c.id = p.contact_id and c.user_id = job.user_id offset 0
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
comment on function private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid) is 'Writes a planned import batch: new contacts with their channels, duplicates merged under the policy, group memberships, and the change log for undo. Called by private.import_contacts_batch only.';
revoke execute on function private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid) from public;

-- A dry run's batch: remember what its rows would claim (identifiers and external ids, with the
-- existing contact a duplicate would update), so later batches count duplicates and conflicts as
-- the real import would, and keep up to ten examples each of new, changed and failing rows.
create function private.import_dry_run_batch(job public.contact_import_jobs, plan private.contact_import_plan[], policy text,
  failures json)
returns void
language plpgsql
volatile
set search_path = ''
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
          from (values
            ('first_name', c.first_name, private.import_merged_value(import_dry_run_batch.policy, c.first_name, (p.item).first_name)),
            ('last_name', c.last_name, private.import_merged_value(import_dry_run_batch.policy, c.last_name, (p.item).last_name)),
            ('display_name', c.display_name, private.import_merged_value(import_dry_run_batch.policy, c.display_name, (p.item).display_name)),
            ('organization', c.organization, private.import_merged_value(import_dry_run_batch.policy, c.organization, (p.item).organization)),
            ('job_title', c.job_title, private.import_merged_value(import_dry_run_batch.policy, c.job_title, (p.item).job_title))
          ) as f (field, before, after)
          where f.before is distinct from f.after)) as entry
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
comment on function private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json) is 'Records what a dry-run batch would claim and samples its new, changed and failing rows into the job''s report. Called by private.import_contacts_batch only.';
revoke execute on function private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json) from public;
