-- Rollback of 20251020000083_failed_imports_holding_as_reviewed: failed_imports_holding as
-- 20251020000072 landed.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.failed_imports_holding(owner_id uuid, contact_id uuid, mentions text[])
returns uuid[]
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  words text[];
  names text[];
  found_ids uuid[];
begin
  if failed_imports_holding.owner_id is null or private.current_agent_id() is not null
     or not (private.is_service_caller() or failed_imports_holding.owner_id = (select auth.uid())) then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  -- A word another contact also holds (a namesake's) may be theirs: their job stays.
  words := private.words_no_one_else_holds(failed_imports_holding.owner_id, failed_imports_holding.contact_id,
    private.subject_words(failed_imports_holding.owner_id, failed_imports_holding.contact_id, failed_imports_holding.mentions));
  -- Names are words of a text; identifiers and the external id count only as a whole value.
  select array(select w.w from unnest(words) as w (w)
               where w.w = any (private.subject_words(failed_imports_holding.owner_id, null,
                 array[c.display_name, concat_ws(' ', c.first_name, c.last_name)])))
  into names
  from public.contacts c where c.id = failed_imports_holding.contact_id and c.user_id = failed_imports_holding.owner_id;
  names := coalesce(names, '{}'::text[]);
  select coalesce(array_agg(l.id order by l.id), '{}') into found_ids
  from (
    select j.id
    from public.contact_import_jobs j
    where j.user_id = failed_imports_holding.owner_id and j.status = 'failed'
      and j.source = 'upload' and j.storage_path is not null
      and (exists (select 1 from public.contact_import_changes ic
                   where ic.job_id = j.id and ic.user_id = j.user_id and ic.contact_id = failed_imports_holding.contact_id)
        or exists (select 1 from public.contact_import_job_errors e
                   where e.job_id = j.id and e.user_id = j.user_id
                     and (private.mentions_whole(e.value_excerpt, names) or private.is_identifier_value(e.value_excerpt, words)))
        or private.header_holds_identifier(j.header, words)
        or jsonb_typeof(j.header) = 'array'
           and private.mentions_whole((select string_agg(c.v, ' ') from jsonb_array_elements_text(j.header) as c (v)), names)
        or exists (select 1 from jsonb_each(coalesce(j.dry_run_report, '{}'::jsonb)) as part (key, value)
                   cross join lateral jsonb_array_elements(case when jsonb_typeof(part.value) = 'array' then part.value else '[]'::jsonb end) as e (entry)
                   where private.dry_run_entry_mentions(e.entry, failed_imports_holding.contact_id, names)
                     or private.dry_run_entry_holds_identifier(e.entry, words))
        or exists (select 1 from private.contact_import_dry_run_claims d
                   where d.job_id = j.id and d.user_id = j.user_id
                     and (d.contact_id = failed_imports_holding.contact_id
                          or d.kind = 'contact' and d.value = failed_imports_holding.contact_id::text
                          or d.kind <> 'contact' and private.is_identifier_value(d.value, words))))
    order by j.id
    -- Locked now: being undone, resumed or cancelled, which lock the job before its contacts (so
    -- waiting could deadlock) and end the failed state.
    for update of j skip locked) as l;
  return found_ids;
end;
$$;
