-- A dry run under `update` shows, for each contact in its sample of changes, the primary address
-- or number the row's new one would replace (20251020000103), as `primary_<type>` from the old to the
-- new value (pgTAP 213).
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.import_dry_run_batch(job public.contact_import_jobs, plan private.contact_import_plan[], policy text,
  failures json)
returns void
language plpgsql
volatile
set search_path = ''
set enable_seqscan = off
set plan_cache_mode = force_generic_plan
set jit = off
as $$
declare
  report constant jsonb := coalesce(job.dry_run_report, '{"new": [], "changed": [], "failing": []}'::jsonb);
begin
  insert into private.contact_import_dry_run_claims (job_id, user_id, kind, value, row_number, contact_id)
  select job.id, job.user_id, c.kind, c.value, (p.item).n, case when p.outcome = 'update' then p.contact_id end
  from unnest(import_dry_run_batch.plan) p
  left join lateral (
    select e.external_id, private.import_merged_value(import_dry_run_batch.policy, e.external_id, (p.item).external_id) as merged
    from public.contacts e
    where p.outcome = 'update' and (p.item).external_id is not null and e.id = p.contact_id and e.user_id = job.user_id
  ) as current on true
  cross join lateral (
    select ch.t, ch.nv from jsonb_to_recordset((p.item).channels) as ch (t text, nv text)
    union all
    -- The external id the row writes: a new contact's, or an update's where the policy lets it
    -- replace the contact's; and the one it replaces, free for the rows after it.
    select 'external_id', (p.item).external_id
    where (p.item).external_id is not null and (p.outcome = 'create' or current.merged = (p.item).external_id)
    union all
    select 'released_external_id', current.external_id
    where current.merged = (p.item).external_id and current.external_id <> (p.item).external_id
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
          from (
            select coalesce(jsonb_agg(jsonb_build_object('type', e.channel_type, 'identifier', e.normalized_identifier,
                'status', e.consent_status) order by ch.col), '[]'::jsonb) as before,
              coalesce(jsonb_agg(jsonb_build_object('type', e.channel_type, 'identifier', e.normalized_identifier,
                'status', ch.c) order by ch.col), '[]'::jsonb) as after
            from jsonb_to_recordset((p.item).channels) as ch (t text, nv text, c text, col text)
            join public.contact_communication_channels e
              on e.user_id = job.user_id and e.channel_type = ch.t and e.normalized_identifier = ch.nv and e.contact_id = c.id
            where private.import_consent_applies(import_dry_run_batch.policy, e.consent_status, ch.c)
          ) as consent
          -- The fields import_apply_batch writes, merged as it merges them.
          cross join lateral (
            select v.* from (values
            ('first_name', to_jsonb(c.first_name), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.first_name, (p.item).first_name))),
            ('last_name', to_jsonb(c.last_name), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.last_name, (p.item).last_name))),
            ('display_name', to_jsonb(c.display_name), to_jsonb(private.import_merged_display_name(import_dry_run_batch.policy, job.user_id, c.id,
              c.first_name, c.last_name, c.display_name, c.organization, (p.item).first_name, (p.item).last_name, (p.item).display_name))),
            ('organization', to_jsonb(c.organization), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.organization, (p.item).organization))),
            ('job_title', to_jsonb(c.job_title), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.job_title, (p.item).job_title))),
            ('external_id', to_jsonb(c.external_id), to_jsonb(private.import_merged_value(import_dry_run_batch.policy, c.external_id, (p.item).external_id))),
            ('metadata', c.metadata, private.import_merged_metadata(import_dry_run_batch.policy, c.metadata, (p.item).metadata)),
            ('tags', to_jsonb(c.tags), to_jsonb(c.tags || array(
              select x from unnest(coalesce((p.item).tags, '{}'::text[])) as tag (x) where x <> all (c.tags)))),
            -- The consent it would record on channels the contact has, each from its status now.
            ('consent', consent.before, consent.after)
            ) as v
            union all
            -- Under update, the contact's primary of a type that the row's new value would replace.
            select 'primary_' || ch.t, to_jsonb(e.normalized_identifier), to_jsonb(ch.nv)
            from jsonb_to_recordset((p.item).channels) as ch (t text, nv text, p boolean)
            join public.contact_communication_channels e
              on e.contact_id = c.id and e.user_id = job.user_id and e.channel_type = ch.t and e.is_primary
            where ch.p and import_dry_run_batch.policy = 'update'
              and not exists (
                select 1 from public.contact_communication_channels x
                where x.user_id = job.user_id and x.channel_type = ch.t and x.normalized_identifier = ch.nv)
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
