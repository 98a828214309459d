-- The search matched an identifier only as typed (and in its other Unicode form, 20251020000064),
-- while other parts of the project hold one account in several spellings:
--   * A Telegram username is the same with or without its leading @ (20251020000067 keys it both
--     ways for suppression): "anna_kuz" did not find the channel stored as "@anna_kuz", nor
--     "@tomas_plain" the one stored as "tomas_plain". A query that can be a username (5 to 32 of
--     a-z, 0-9, _, with or without the @) now also matches Telegram channels in its other
--     spelling, as an exact identifier (1.0): it is the same account.
--   * An e-mail address reaches the mailbox of its other spellings (the duplicate finder's and the
--     subject requests' key, private.channel_match_key: '+tag' dropped, Gmail dots and googlemail
--     folded): "robert.brown@gmail.com" did not find "robert.brown+crm@gmail.com". A query that is
--     an address now also matches every channel holding an address of its mailbox, still as
--     exact_identifier (no change to the API) but scored 0.97, below the address as typed (1.0) and
--     above a phone suffix (0.95). The channels are read from the match-key index
--     (contact_communication_channels_match_key_idx); the function runs with definer rights, so RLS
--     does not stand between the key and its index.
-- Either way the agent confirms an identifier only on a channel type it may see, as before. The
-- rest of private.search_contacts_page is 20251020000064's.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.search_contacts_page(
  agent_id uuid,
  needle text,
  channel_types text[],
  group_id uuid,
  result_limit integer,
  after_score numeric,
  after_contact_id uuid,
  after_name text,
  after_organization text
)
returns table (contact_id uuid, display_name text, organization text, channels jsonb, score numeric, match_reason text)
language plpgsql
stable
security definer
rows 20
set search_path = ''
-- Typos: a query word is within 0.5 word-similarity of a word of the name or organization (pg_trgm's
-- 0.6 default misses transposed letters in short names; 0.4 lets a six-letter word match every name
-- starting with its first three letters).
set pg_trgm.word_similarity_threshold = 0.5
as $$
declare
  owner_id uuid;
  token_agent constant uuid := private.current_agent_id();
  all_channel_types constant text[] := array['email', 'phone', 'sms', 'whatsapp', 'telegram', 'slack', 'webchat', 'other'];
  digits constant text := ltrim(regexp_replace(needle, '\D', '', 'g'), '0');
  -- A phone typed in any format: at least 7 digits, and no letters or @.
  phone_like constant boolean := char_length(digits) >= 7 and needle !~ '[[:alpha:]@]';
  words constant text[] := array_remove(regexp_split_to_array(regexp_replace(needle, '[^[:alnum:]]+', ' ', 'g'), ' '), '');
  -- E-mail addresses and phone numbers are identifiers, not names: only the identifier kinds run.
  name_like constant boolean := not phone_like and strpos(needle, '@') = 0 and cardinality(words) > 0;
  -- Prefix ranges in byte order: [needle, upper) holds every name starting with the needle, and
  -- [needle || ' ', needle || '!') those continuing with a space.
  -- The character after the last: U+E000 after U+D7FF (surrogates are no characters); none after
  -- U+10FFFF, whose range is left empty.
  upper_bound constant text := left(needle, -1) || chr(case ascii(right(needle, 1))
    when 55295 then 57344 when 1114111 then 1114111 else ascii(right(needle, 1)) + 1 end);
  -- A query that can be a Telegram username, in its other spelling (with or without the @), and
  -- the mailbox of one that is an e-mail address, as the duplicate finder keys it.
  telegram_spelling constant text := case when needle ~ '^@?[a-z0-9_]{5,32}$'
    then case when left(needle, 1) = '@' then substr(needle, 2) else '@' || needle end end;
  mailbox_key constant text := case when needle ~ '^[^@\s]+@[^@\s]+\.[a-z]{2,63}$'
    then private.channel_match_key('email', needle) end;
  suffix_key constant text := reverse(digits);
  suffix_upper constant text := left(reverse(digits), -1) || chr(ascii(right(reverse(digits), 1)) + 1);
  word_query tsquery;
  prefix_query tsquery;
  -- The agent's grants, read once.
  reads_all boolean;
  specific_grants uuid[];
  group_grants boolean;
  types_restricted boolean;
  messages_any boolean;
  messages_all boolean;
  -- Where the cursor's row sorted when it was listed: its kind of match continues after it.
  cursor_name text := lower(after_name) collate "C";
  cursor_organization text := lower(after_organization) collate "C";
  -- Identifier matches (few): listed first, and left out of every other kind.
  identifiers uuid[];
  identifier_scores numeric[];
  identifier_reasons text[];
  filters text;
  joined_filters text;
  scope text;
  -- Each kind: its SQL, its score (null when it keysets itself) and its keyset after the cursor.
  -- $13 is what the page still lacks.
  kinds text[];
  kind_scores numeric[];
  kind_after text[];
  kind_steps integer[];
  statement text;
  typos text;
  kind_ids uuid[];
  kind_found_scores numeric[];
  kind_reasons text[];
  typo_ids uuid[];
  typo_scores numeric[];
  typo_reasons text[];
  typo_words text[];
  page_ids uuid[];
  page_scores numeric[];
  page_reasons text[];
begin
  select a.user_id into owner_id
  from public.agents a
  where a.id = search_contacts_page.agent_id
    and a.is_active
    and (private.is_service_caller() or a.user_id = (select auth.uid()))
    and (token_agent is null or token_agent = a.id);
  if owner_id is null then
    raise exception 'agent not found' using errcode = 'P0002';
  end if;

  select coalesce(bool_or(p.permission_type = 'all_contacts'), false),
    coalesce(array_agg(p.id) filter (where p.permission_type = 'specific_contacts'), '{}'),
    coalesce(bool_or(p.permission_type = 'group'), false),
    coalesce(bool_or(p.allowed_channel_types is not null), false),
    coalesce(bool_or(private.permission_level_rank(p.permission_level) >= private.permission_level_rank('message')), false),
    coalesce(bool_or(p.permission_type = 'all_contacts' and p.allowed_channel_types is null
      and private.permission_level_rank(p.permission_level) >= private.permission_level_rank('message')), false)
  into reads_all, specific_grants, group_grants, types_restricted, messages_any, messages_all
  from public.agent_contact_permissions p
  where p.agent_id = search_contacts_page.agent_id and p.user_id = owner_id
    and p.valid_from <= now() and (p.valid_until is null or p.valid_until > now());

  -- A cursor without its row's names (a caller of before 20251020000031) reads them from the contact.
  if after_contact_id is not null and after_name is null then
    select lower(c.display_name) collate "C", lower(c.organization) collate "C" into cursor_name, cursor_organization
    from public.contacts c
    where c.id = search_contacts_page.after_contact_id and c.user_id = owner_id
      and private.agent_can_access_contact(search_contacts_page.agent_id, c.id, 'read');
    if not found then
      raise exception 'the cursor''s contact no longer exists: start the search again' using errcode = '22023';
    end if;
  end if;
  if name_like then
    word_query := to_tsquery('simple', array_to_string(words, ' & '));
    prefix_query := to_tsquery('simple', array_to_string(array(select w || ':*' from unnest(words) as ws (w)), ' & '));
  end if;

  -- Who may see a contact (c), as SQL for the kinds below; $1 agent, $2 owner, $3 channel types,
  -- $4 group, $5 the specific grants. Without group grants, the contacts listed under the specific
  -- grants: probed row by row where a kind walks an index range in rank order and stops after a
  -- page (a hash of the whole list would cost more), joined where the planner chooses between
  -- full-text index and name order (it must know how few rows the list lets through).
  filters := case
      when reads_all then ''
      when not group_grants then ' and exists (select 1 from public.agent_specific_contact_access s'
        || ' where s.agent_id = $1 and s.contact_id = c.id and s.permission_id = any ($5) offset 0)'
      else ' and private.agent_can_access_contact($1, c.id, ''read'')'
    end;
  joined_filters := case when not reads_all and not group_grants
      then ' and c.id in (select s.contact_id from public.agent_specific_contact_access s'
        || ' where s.agent_id = $1 and s.permission_id = any ($5))'
      else filters end;
  scope := case when channel_types is null then '' else
         ' and exists (select 1 from public.contact_communication_channels ch where ch.contact_id = c.id and ch.user_id = $2'
         || ' and ch.channel_type = any ($3)'
         || case when types_restricted then ' and private.agent_can_access_contact($1, c.id, ''read'', ch.channel_type)' else '' end
         || ')' end
    || case when group_id is null then '' else ' and private.contact_in_group(c.id, $4)' end;
  filters := filters || scope;
  joined_filters := joined_filters || scope;

  -- Identifiers: an agent must not be able to confirm identifiers on channels it may not see.
  select coalesce(array_agg(m.id), '{}'), coalesce(array_agg(m.score), '{}'), coalesce(array_agg(m.reason), '{}')
  into identifiers, identifier_scores, identifier_reasons
  from (
    select distinct on (x.id) x.id, x.score, x.reason
    from (
      select ch.contact_id as id, ch.channel_type, 1.0 as score, 'exact_identifier' as reason
      from public.contact_communication_channels ch
      where ch.user_id = owner_id
        and ch.channel_type = any (all_channel_types)
        -- The needle is NFC (20251020000057); an identifier stored with combining marks is found too.
        and (ch.normalized_identifier in (needle, normalize(needle, nfd))
             or (phone_like and ch.normalized_identifier = '+' || digits))
      union all
      -- The username in its other spelling, on Telegram channels only: the same account.
      select ch.contact_id, ch.channel_type, 1.0, 'exact_identifier'
      from public.contact_communication_channels ch
      where ch.user_id = owner_id and ch.channel_type = 'telegram' and ch.normalized_identifier = telegram_spelling
      union all
      -- Other spellings of the mailbox, from the match-key index (the second condition is its
      -- predicate, stated for a generic plan): below the address as typed.
      select ch.contact_id, ch.channel_type, 0.97, 'exact_identifier'
      from public.contact_communication_channels ch
      where mailbox_key is not null
        and ch.user_id = owner_id
        and private.channel_match_key(ch.channel_type, ch.normalized_identifier) = mailbox_key
        and private.channel_match_key(ch.channel_type, ch.normalized_identifier) is not null
      union all
      select ch.contact_id, ch.channel_type, 0.95, 'phone_suffix'
      from public.contact_communication_channels ch
      where phone_like
        and ch.user_id = owner_id
        and ch.channel_type in ('phone', 'sms', 'whatsapp')
        and reverse(ch.normalized_identifier) operator(pg_catalog.~>=~) suffix_key
        and reverse(ch.normalized_identifier) operator(pg_catalog.~<~) suffix_upper
    ) x
    where (reads_all and not types_restricted)
       or private.agent_can_access_contact(search_contacts_page.agent_id, x.id, 'read', x.channel_type)
    order by x.id, x.score desc
  ) m;

  -- The kinds of match that apply: the identifier kind always, the others for names.
  select array_agg(k.statement order by k.kind), array_agg(k.score order by k.kind), array_agg(k.keyset order by k.kind),
    array_agg(k.step order by k.kind)
  into kinds, kind_scores, kind_after, kind_steps
  from private.search_match_kinds() k
  where k.step < 3 and (name_like or not k.names_only);
  select k.statement into typos from private.search_match_kinds() k where k.step = 3;

  -- The kinds after the cursor, best first, in two steps, each asked for what the page still lacks
  -- and planned only when reached: the index ranges, then full text (planned with the values, so
  -- that the planner picks per word between the full-text index and the name order). A kind above
  -- the cursor's score is over, the cursor's own continues after it, the ones below start from
  -- their beginning.
  page_ids := '{}';
  page_scores := '{}';
  page_reasons := '{}';
  for step in 1 .. 2 loop
    exit when cardinality(page_ids) >= result_limit;
    statement := array_to_string(array(
      select replace(replace(kinds[i], '#filters#', case when step = 1 then filters else joined_filters end),
               '#after#', case when kind_scores[i] = after_score then kind_after[i] else '' end)
      from generate_subscripts(kinds, 1) as ks (i)
      where kind_steps[i] = step and not coalesce(kind_scores[i] > after_score, false)
      order by i), ' union all ');
    continue when statement = '';
    execute 'select array_agg(p.id order by p.score desc, p.k1, p.k2, p.id), array_agg(p.score order by p.score desc, p.k1, p.k2, p.id), '
      || 'array_agg(p.reason order by p.score desc, p.k1, p.k2, p.id) from (select * from (' || statement || ') kinds limit $13)'
      || ' p (id, score, reason, k1, k2)'
    into kind_ids, kind_found_scores, kind_reasons
    using search_contacts_page.agent_id, owner_id, search_contacts_page.channel_types, search_contacts_page.group_id,
      specific_grants, needle, needle || ' ', needle || '!', upper_bound, word_query, prefix_query, identifiers,
      search_contacts_page.result_limit - cardinality(page_ids), search_contacts_page.after_score, cursor_name,
      cursor_organization, search_contacts_page.after_contact_id, identifier_scores, identifier_reasons, null::text[];
    page_ids := page_ids || coalesce(kind_ids, '{}');
    page_scores := page_scores || coalesce(kind_found_scores, '{}');
    page_reasons := page_reasons || coalesce(kind_reasons, '{}');
  end loop;

  -- Typos only when the strong matches the agent may see are fewer than a page: a query that matches
  -- well is not padded with look-alikes, and contacts the agent may not see never decide whether
  -- typos are listed. The first page decides, and the pages after it keep the decision: they list typos only after a
  -- cursor among typos, below every strong kind's score (recounting the strong matches at each page
  -- would drop the rest of the typos once a strong match is added between pages).
  if name_like and cardinality(page_ids) < result_limit
     and (after_score is null or after_score < (select min(s) from unnest(kind_scores) as ks (s))) then
    -- Words of five letters or more survive a typo at 0.5 ('noha' is 0.4 like 'noah'), else the longest.
    typo_words := coalesce(nullif(array(select w from unnest(words) as ws (w) where char_length(w) >= 5
                                        order by char_length(w) desc, w limit 3), '{}'),
                           array(select w from unnest(words) as ws (w) order by char_length(w) desc, w limit 1));
    execute 'select array_agg(p.id order by p.n), array_agg(p.score order by p.n), array_agg(p.reason order by p.n) '
      || 'from (select *, row_number() over () as n from ('
      || replace(replace(typos, '#filters#', filters), '#typo_words#',
           (select string_agg(format(' and ($20[%s] operator(extensions.<%%) c.display_name'
                                     || ' or $20[%s] operator(extensions.<%%) c.organization)', n, n), '')
            from generate_series(1, cardinality(typo_words)) as ns (n)))
      || ') t) p (id, score, reason, k1, k2, n)'
    into typo_ids, typo_scores, typo_reasons
    using search_contacts_page.agent_id, owner_id, search_contacts_page.channel_types, search_contacts_page.group_id,
      specific_grants, needle, needle || ' ', needle || '!', upper_bound, word_query, prefix_query, identifiers,
      search_contacts_page.result_limit - cardinality(page_ids), search_contacts_page.after_score, cursor_name,
      cursor_organization, search_contacts_page.after_contact_id, identifier_scores, identifier_reasons,
      typo_words;
    page_ids := page_ids || coalesce(typo_ids, '{}');
    page_scores := page_scores || coalesce(typo_scores, '{}');
    page_reasons := page_reasons || coalesce(typo_reasons, '{}');
  end if;

  return query
  select c.id, c.display_name, c.organization,
    coalesce((
      select jsonb_agg(jsonb_build_object(
          'id', ch.id, 'channel_type', ch.channel_type, 'identifier', ch.identifier,
          'is_primary', ch.is_primary, 'consent_status', ch.consent_status,
          'can_message', case
            when not messages_any then false
            when messages_all then ch.consent_status <> 'withdrawn'
            else private.agent_can_message_on_channel(search_contacts_page.agent_id, c.id, ch.channel_type, ch.id) end)
        order by ch.channel_type, ch.is_primary desc, ch.id)
      from public.contact_communication_channels ch
      where ch.contact_id = c.id and ch.user_id = c.user_id
        and (search_contacts_page.channel_types is null or ch.channel_type = any (search_contacts_page.channel_types))
        and (not types_restricted or private.agent_can_access_contact(search_contacts_page.agent_id, c.id, 'read', ch.channel_type))
    ), '[]'::jsonb),
    p.score, p.reason
  from unnest(page_ids, page_scores, page_reasons) with ordinality as p (id, score, reason, n)
  join public.contacts c on c.id = p.id and c.user_id = owner_id
  order by p.n;
end;
$$;
