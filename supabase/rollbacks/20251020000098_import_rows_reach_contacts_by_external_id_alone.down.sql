-- Rollback of 20251020000098_import_rows_reach_contacts_by_external_id_alone: import_refusal as
-- 20251020000002 made it.
set lock_timeout = '5s';

create or replace function private.import_refusal(job public.contact_import_jobs, step private.contact_import_plan, policy text)
returns text
language sql
stable
set search_path = ''
set enable_seqscan = off
as $$
  select case
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
comment on function private.import_refusal(public.contact_import_jobs, private.contact_import_plan, text) is 'The reason the database would refuse a planned create or update (custom fields over 64 KB or tags over 100 once merged into the contact''s own), or null: a dry run foresees the rows a real run fails.';
