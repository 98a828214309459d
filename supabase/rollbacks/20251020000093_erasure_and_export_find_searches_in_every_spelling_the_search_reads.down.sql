-- Rollback of 20251020000093: private.search_query_key and the query_key_hmac comment as
-- 20251020000046 made them, private.search_query_forms as 20251020000065, contact_agent_searches as
-- 20251020000051 and forget_traces as 20251020000080.
set lock_timeout = '5s';
set statement_timeout = '5min';

comment on column public.agent_contact_access_log.query_key_hmac is 'For a phone-like query only: HMAC-SHA-256 (hex, owner''s key) of ''digits:'' and its digits without leading zeros, so that erasure finds a number however it was typed.';

create or replace function private.search_query_key(needle text)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'digits:' || d.digits
  from (select ltrim(regexp_replace(search_query_key.needle, '\D', '', 'g'), '0') as digits) as d
  where char_length(d.digits) >= 7 and search_query_key.needle !~ '[[:alpha:]@]'
$$;
comment on function private.search_query_key(text) is 'For a phone-like search query (7+ digits, no letters or @): ''digits:'' and its digits without leading zeros; otherwise null.';

create or replace function private.search_query_forms(names text[], identifiers text[])
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(distinct u.form) filter (where char_length(u.form) >= 3), '{}'::text[])
  from (
    select lower(btrim(n.v)) from unnest(search_query_forms.names) as n (v)
    union all
    select w.v from unnest(search_query_forms.names) as n (v)
    cross join lateral regexp_split_to_table(lower(n.v), '[^[:alnum:]]+') as w (v)
    union all
    select w.v from unnest(search_query_forms.names) as n (v)
    cross join lateral regexp_split_to_table(lower(btrim(n.v)), '\s+') as w (v)
    union all
    select lower(btrim(i.v)) from unnest(search_query_forms.identifiers) as i (v)
    union all
    select 'digits:' || right(d.digits, k.n)
    from unnest(search_query_forms.identifiers) as i (v)
    cross join lateral (select ltrim(regexp_replace(i.v, '\D', '', 'g'), '0') as digits) as d
    cross join lateral generate_series(7, char_length(d.digits)) as k (n)
    where i.v !~ '[[:alpha:]@]' and left(right(d.digits, k.n), 1) <> '0'
  ) as f (form)
  -- Each form in both Unicode forms: searches logged before 20251020000057 hashed the query as
  -- typed, those since in NFC, and a name or identifier may be stored either way.
  cross join lateral unnest(array[f.form, normalize(f.form, nfc), normalize(f.form, nfd)]) as u (form)
$$;

comment on function private.search_query_forms(text[], text[]) is 'The forms an agent search for a subject was logged under (to hash): names whole and by word, identifiers whole, and the digits forms a number ends with (7+ digits), each of 3+ characters, each in Unicode NFC and NFD too.';

create or replace function private.contact_agent_searches(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
volatile
set search_path = ''
as $$
  select r.part, r.n
  from private.agent_searches_for(contact_agent_searches.owner_id,
    (select array[c.display_name, c.first_name, c.last_name] from public.contacts c
     where c.id = contact_agent_searches.contact_id and c.user_id = contact_agent_searches.owner_id),
    private.subject_words(contact_agent_searches.owner_id, contact_agent_searches.contact_id, '{}'::text[])) as r
$$;

create or replace function private.forget_traces(owner_id uuid, contact_id uuid, mentions text[])
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  words text[];
  names text[] := '{}'::text[];
  group_words text[];
  target record;
  renamed text;
  changed bigint := 0;
  counts jsonb := '{"agent_contact_access_log": 0}'::jsonb;
begin
  if forget_traces.owner_id is null or private.current_agent_id() is not null
     or not (private.is_service_caller() or forget_traces.owner_id = (select auth.uid()))
     or forget_traces.contact_id is not null and not exists (
       select 1 from public.contacts c where c.id = forget_traces.contact_id and c.user_id = forget_traces.owner_id) then
    raise exception 'contact not found' using errcode = 'P0002';
  end if;
  words := private.subject_words(forget_traces.owner_id, forget_traces.contact_id, forget_traces.mentions);

  with removed as (
    delete from public.contact_import_job_errors e
    where e.user_id = forget_traces.owner_id
      and (private.mentions_whole(e.value_excerpt, words) or private.is_identifier_value(e.value_excerpt, words))
    returning 1
  )
  select counts || jsonb_build_object('contact_import_job_errors', count(*)) into counts from removed;

  -- A dry run's report samples rows of its file (names, identifiers, the values of failing cells)
  -- and the contacts they would change; its claims hold the file's identifiers while it runs.
  with scrubbed as (
    update public.contact_import_jobs j
    set dry_run_report = (
      select jsonb_object_agg(part.key, coalesce((
        select jsonb_agg(e.entry order by e.position)
        from jsonb_array_elements(part.value) with ordinality as e (entry, position)
        where not (private.dry_run_entry_mentions(e.entry, forget_traces.contact_id, words)
                   or private.dry_run_entry_holds_identifier(e.entry, words))), '[]'::jsonb))
      from jsonb_each(j.dry_run_report) as part)
    where j.user_id = forget_traces.owner_id and j.dry_run_report is not null
      and exists (
        select 1 from jsonb_each(j.dry_run_report) as part, jsonb_array_elements(part.value) as e (entry)
        where private.dry_run_entry_mentions(e.entry, forget_traces.contact_id, words)
          or private.dry_run_entry_holds_identifier(e.entry, words))
    returning 1
  )
  select counts || jsonb_build_object('contact_import_jobs', count(*)) into counts from scrubbed;

  -- A header kept by a job is the file's first line: the subject's row when the file had no header
  -- line. It goes whole (names in other cells included). A job that may still read its file by its
  -- header (processing, or failed part-way and retried later: past its header) keeps it: that
  -- header mapped its columns, so it is column names.
  with scrubbed as (
    update public.contact_import_jobs j
    set header = null
    where j.user_id = forget_traces.owner_id and j.header is not null
      and not (j.status in ('processing', 'failed') and j.resume_offset > 0)
      and (private.header_holds_identifier(j.header, words)
           or jsonb_typeof(j.header) = 'array'
              and private.mentions_whole((select string_agg(c.v, ' ') from jsonb_array_elements_text(j.header) as c (v)), words))
    returning 1
  )
  select counts || jsonb_build_object('contact_import_headers', count(*)) into counts from scrubbed;

  -- Groups naming the subject: a rule value that is one of the names or identifiers becomes a
  -- tombstone no contact holds (the criteria stay valid), whole-word mentions in the name and
  -- description become [erased]; a name so made that another group has gets the group's id. A
  -- value a namesake holds too stays (private.subject_group_words).
  group_words := private.subject_group_words(forget_traces.owner_id, forget_traces.contact_id, words);
  for target in
    select g.id, g.name
    from private.group_ids_mentioning(forget_traces.owner_id, group_words) as m (id)
    join public.contact_groups g on g.id = m.id
    order by g.id for update of g
  loop
    renamed := left(private.erase_mentions(target.name, group_words), 200);
    if exists (select 1 from public.contact_groups o where o.user_id = forget_traces.owner_id and o.name = renamed and o.id <> target.id) then
      renamed := left(renamed, 190) || ' ' || left(target.id::text, 8);
    end if;
    update public.contact_groups g
    set name = renamed, description = left(private.erase_mentions(g.description, group_words), 2000),
      criteria = private.criteria_erased(g.criteria, group_words)
    where g.id = target.id;
    changed := changed + 1;
  end loop;
  counts := counts || jsonb_build_object('contact_groups', changed);

  with removed as (
    delete from private.contact_import_dry_run_claims d
    where d.user_id = forget_traces.owner_id
      and (d.contact_id = forget_traces.contact_id
           or d.kind = 'contact' and d.value = forget_traces.contact_id::text
           or d.kind <> 'contact' and private.is_identifier_value(d.value, words))
    returning 1
  )
  select counts || jsonb_build_object('contact_import_dry_run_claims', count(*)) into counts from removed;

  -- A search is the subject's when its query was one of the names or identifiers, a word of the
  -- names, or digits one of the numbers ends with (the search matched numbers by that suffix).
  if exists (select 1 from public.agent_contact_access_log l where l.user_id = forget_traces.owner_id) then
    select array[c.display_name, c.first_name, c.last_name] into names
    from public.contacts c where c.id = forget_traces.contact_id and c.user_id = forget_traces.owner_id;
    with hashes as (
      select private.owner_hmacs(forget_traces.owner_id, private.search_query_forms(names, words)) as list
    ), removed as (
      delete from public.agent_contact_access_log l
      using hashes h
      where l.user_id = forget_traces.owner_id and (l.query_hmac = any (h.list) or l.query_key_hmac = any (h.list))
      returning 1
    )
    select counts || jsonb_build_object('agent_contact_access_log', count(*)) into counts from removed;
  end if;

  return counts;
end;
$$;
