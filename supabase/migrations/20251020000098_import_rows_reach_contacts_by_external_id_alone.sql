-- A row whose only value besides custom fields and tags is its external id ("update the segment of
-- these CRM ids") failed in the row normalizer with missing_name, although under dedupe_key
-- external_id it reaches the contact that has that id, which it can update. The normalizer now lets
-- such a row through; the database refuses a contact without a name (fill_contact_display_name),
-- so one that would create a contact fails, and import-contacts reports it as missing_name. A dry
-- run foresees that refusal with the same reason, as it does those of 20251020000002.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.import_refusal(job public.contact_import_jobs, step private.contact_import_plan, policy text)
returns text
language sql
stable
set search_path = ''
set enable_seqscan = off
as $$
  select case
    -- As import_apply_batch names a new contact: by the row's names, organization or first identifier.
    when step.outcome = 'create' and coalesce((step.item).display_name, (step.item).first_name, (step.item).last_name,
        (step.item).organization, (step.item).channels -> 0 ->> 'v') is null
      then 'missing_name: a new contact needs a name, an organization or an identifier, and this row''s external id matches no contact'
    when pg_column_size(x.metadata) > 65536
      then 'custom_fields_too_large: with this row the contact''s custom fields would exceed the 64 KB a contact holds'
    when cardinality(x.tags) > 100 then 'too_many_tags: with this row the contact would have more than 100 tags'
  end
  from (
    select coalesce((step.item).metadata, '{}'::jsonb), coalesce((step.item).tags, '{}'::text[])
    where step.outcome = 'create'
    union all
    -- As import_apply_batch merges them into the contact's own.
    select private.import_merged_metadata(import_refusal.policy, c.metadata, (step.item).metadata),
      c.tags || array(select t from unnest(coalesce((step.item).tags, '{}'::text[])) as tag (t) where t <> all (c.tags))
    from public.contacts c
    where step.outcome = 'update' and c.id = step.contact_id and c.user_id = job.user_id
  ) as x (metadata, tags)
$$;
comment on function private.import_refusal(public.contact_import_jobs, private.contact_import_plan, text) is 'The reason the database would refuse a planned create or update (a new contact with no name, organization or identifier; custom fields over 64 KB or tags over 100 once merged into the contact''s own), or null: a dry run foresees the rows a real run fails.';
