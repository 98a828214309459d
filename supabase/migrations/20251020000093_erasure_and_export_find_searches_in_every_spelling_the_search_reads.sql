-- 20251020000090 and 91 widened what a search finds a contact by (an address in another spelling
-- of its mailbox, a Telegram username with or without its @, a name typed without its accents or
-- with ä ö ü as ae oe ue), but erasure and the export still matched the logged searches by the
-- forms of 46 and 65: gdpr_delete_contact of Bea Öztürk (robert.brown+crm@gmail.com, Telegram
-- @anna_kuz) removed the search 'Öztürk' and kept 'ozturk', 'Bea Ozturk', 'robert.brown@gmail.com'
-- and 'anna_kuz', all of which had found her; the export listed only the spellings as stored.
-- Against 46's rule (a search goes with what it found the subject by), now:
--   * private.search_query_key (what record_agent_search hashes into query_key_hmac, beside the
--     query) also keys an address query by its mailbox (private.channel_match_key: 'mail:', as the
--     search reads it) and a query typed with accents by its form without them ('fold:').
--   * private.search_query_forms adds to each name and word of 3+ characters its forms without
--     accents and with ä ö ü written ae oe ue, and their 'fold:' keys; to each address its mailbox
--     key; to a Telegram username the subject holds (passed as its channel's tg: key) both
--     spellings, the whole query only.
--   * forget_traces and contact_agent_searches (the export's) pass the contact's Telegram channels
--     as tg: keys. Only its Telegram channels: a word or external id without an @ is no username,
--     and '@abc12345' found someone else's channel, never the subject.
-- Never another person's search: each form is one the search found the subject by (a search
-- 'mueller' found Müller; 'muller' finds Müller and Muller, and goes with either's erasure, as
-- 'smith' goes with any Smith's since 46). Not: 'mueller' for a Muller (it did not find him).
-- Searches logged before this migration kept their query as typed, and no key for an address or
-- a name: those typed as a name or word without accents, with ae oe ue for ä ö ü, or as the other
-- Telegram spelling are found now; a name typed with other accents than the subject's ('Mullér',
-- 'Jörg' for a Jorg) and an address in a spelling the subject's identifiers do not hold
-- (robert.brown@gmail.com for robert.brown+crm@gmail.com, whose mailbox is robertbrown@gmail.com)
-- cannot be. An erasure or export by identifier reaching no contact knows no Telegram channel: a
-- username is matched as given.
set lock_timeout = '5s';
set statement_timeout = '5min';

comment on column public.agent_contact_access_log.query_key_hmac is 'HMAC-SHA-256 (hex, owner''s key) of a key of the query: ''digits:'' and the digits of a phone-like query without leading zeros, ''mail:'' and the mailbox of an address, ''fold:'' and a query typed with accents without them; so that erasure finds a search however the identifier or name was typed.';

create or replace function private.search_query_key(needle text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when char_length(d.digits) >= 7 and search_query_key.needle !~ '[[:alpha:]@]' then 'digits:' || d.digits
    -- An address: its mailbox, by which the search found every spelling of it (20251020000090).
    when search_query_key.needle ~ '^[^@\s]+@[^@\s]+\.[a-z]{2,63}$' then private.channel_match_key('email', search_query_key.needle)
    -- A name typed with accents: without them, as the search read it (20251020000091).
    when strpos(search_query_key.needle, '@') = 0 and private.fold_accents(search_query_key.needle) <> search_query_key.needle
      then 'fold:' || private.fold_accents(search_query_key.needle)
  end
  from (select ltrim(regexp_replace(search_query_key.needle, '\D', '', 'g'), '0') as digits) as d
$$;
comment on function private.search_query_key(text) is 'The key of a search query hashed beside it: ''digits:'' and the digits without leading zeros of a phone-like query (7+ digits, no letters or @), ''mail:'' and the mailbox of an address, ''fold:'' and a query typed with accents without them; otherwise null.';

create or replace function private.search_query_forms(names text[], identifiers text[])
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(distinct u.form) filter (where char_length(u.form) >= 3), '{}'::text[])
  from (
    -- Names whole and by word, each also without accents and with ä ö ü as ae oe ue, and the key of
    -- a query typed with accents that folds to either.
    select k.form
    from (
      select lower(btrim(n.v)) from unnest(search_query_forms.names) as n (v)
      union all
      select w.v from unnest(search_query_forms.names) as n (v)
      cross join lateral regexp_split_to_table(lower(n.v), '[^[:alnum:]]+') as w (v)
      union all
      select w.v from unnest(search_query_forms.names) as n (v)
      cross join lateral regexp_split_to_table(lower(btrim(n.v)), '\s+') as w (v)
    ) as n (v)
    cross join lateral (select private.fold_accents(n.v) as plain,
      private.fold_accents(replace(replace(replace(n.v, 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue')) as german) as f
    cross join lateral unnest(array[n.v, f.plain, f.german, 'fold:' || f.plain, 'fold:' || f.german]) as k (form)
    where char_length(n.v) >= 3
    union all
    select lower(btrim(i.v)) from unnest(search_query_forms.identifiers) as i (v) where i.v !~ '^tg:'
    union all
    select 'digits:' || right(d.digits, k.n)
    from unnest(search_query_forms.identifiers) as i (v)
    cross join lateral (select ltrim(regexp_replace(i.v, '\D', '', 'g'), '0') as digits) as d
    cross join lateral generate_series(7, char_length(d.digits)) as k (n)
    where i.v !~ '[[:alpha:]@]' and left(right(d.digits, k.n), 1) <> '0'
    union all
    -- An address: the key of its mailbox, which a search for any of its spellings recorded.
    select private.channel_match_key('email', lower(btrim(i.v))) from unnest(search_query_forms.identifiers) as i (v)
    where lower(btrim(i.v)) ~ '^[^@\s]+@[^@\s]+\.[a-z]{2,63}$'
    union all
    -- A Telegram username of the subject (its channel's tg: key): with and without its @.
    select s.v from unnest(search_query_forms.identifiers) as i (v)
    cross join lateral unnest(array[substr(i.v, 4), '@' || substr(i.v, 4)]) as s (v)
    where i.v ~ '^tg:[a-z0-9_]{5,32}$'
  ) as f (form)
  -- Each form in both Unicode forms: searches logged before 20251020000057 hashed the query as
  -- typed, those since in NFC, and a name or identifier may be stored either way.
  cross join lateral unnest(array[f.form, normalize(f.form, nfc), normalize(f.form, nfd)]) as u (form)
$$;
comment on function private.search_query_forms(text[], text[]) is 'The forms an agent search for a subject was logged under (to hash): names whole and by word, each also without accents, with ä ö ü as ae oe ue and as ''fold:'' keys; identifiers whole, an address''s ''mail:'' key, a Telegram username (tg:<name>) with and without its @, and the digits forms a number ends with (7+ digits); each of 3+ characters, in Unicode NFC and NFD too.';

-- The export's: the contact's Telegram usernames beside its words, as forget_traces passes them.
create or replace function private.contact_agent_searches(contact_id uuid, owner_id uuid, out part json, out n bigint)
language sql
volatile
set search_path = ''
as $$
  select r.part, r.n
  from private.agent_searches_for(contact_agent_searches.owner_id,
    (select array[c.display_name, c.first_name, c.last_name] from public.contacts c
     where c.id = contact_agent_searches.contact_id and c.user_id = contact_agent_searches.owner_id),
    private.subject_words(contact_agent_searches.owner_id, contact_agent_searches.contact_id, '{}'::text[])
      || array(select private.channel_match_key(ch.channel_type, ch.normalized_identifier)
               from public.contact_communication_channels ch
               where ch.contact_id = contact_agent_searches.contact_id and ch.user_id = contact_agent_searches.owner_id
                 and ch.channel_type = 'telegram' and private.channel_match_key(ch.channel_type, ch.normalized_identifier) like 'tg:%')) as r
$$;

-- forget_traces as 20251020000080 made it, the contact's Telegram usernames passed to the searches' forms.
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
  -- names, or digits one of the numbers ends with (the search matched numbers by that suffix), in
  -- any spelling the search reads as them (private.search_query_forms).
  if exists (select 1 from public.agent_contact_access_log l where l.user_id = forget_traces.owner_id) then
    select array[c.display_name, c.first_name, c.last_name] into names
    from public.contacts c where c.id = forget_traces.contact_id and c.user_id = forget_traces.owner_id;
    with hashes as (
      select private.owner_hmacs(forget_traces.owner_id, private.search_query_forms(names, words || array(
        select private.channel_match_key(ch.channel_type, ch.normalized_identifier)
        from public.contact_communication_channels ch
        where ch.contact_id = forget_traces.contact_id and ch.user_id = forget_traces.owner_id and ch.channel_type = 'telegram'
          and private.channel_match_key(ch.channel_type, ch.normalized_identifier) like 'tg:%'))) as list
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
