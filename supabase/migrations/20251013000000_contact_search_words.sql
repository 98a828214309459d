-- The words of an owner's active contacts (the lexemes of contacts.search_vector), one row per
-- owner and word, kept by statement triggers. The agent search corrects a misspelt word among
-- these few thousand distinct words (trigram similarity) and then finds the contacts holding the
-- corrected words through the full-text index, instead of checking every contact that shares
-- trigrams with the typo: the words of an owner grow far slower than its contacts. A word is
-- dropped as soon as a delete or change leaves no active contact of the owner holding it, so
-- nothing of an erased, anonymized or deleted contact stays here.
set lock_timeout = '5s';
set statement_timeout = '15min';

-- squawk-ignore require-concurrent-index-creation -- the primary key of the table created here: empty.
create table private.contact_search_words (
  user_id uuid not null references auth.users (id) on delete cascade,
  word text not null,
  constraint contact_search_words_pkey primary key (word, user_id)
);
comment on table private.contact_search_words is 'The distinct full-text words (search_vector lexemes) of each owner''s active contacts, kept by triggers; the agent search corrects typos among them. Not exposed.';
comment on column private.contact_search_words.word is 'A lexeme of the search_vector of at least one active contact of the owner.';
comment on index private.contact_search_words_pkey is 'One row per word and owner; the check whether a written word is new. Word first: led by the owner, it offered the planner a walk of all of an owner''s words that it preferred to the trigram index (and that compared every word).';
-- Like private.duplicate_keys, no RLS: the private schema is not exposed; definer triggers write it.
revoke all on table private.contact_search_words from anon, authenticated;
grant select, insert, update, delete on table private.contact_search_words to service_role;

-- A full-text lexeme as a tsquery matching exactly that lexeme (no parsing: a lexeme may hold
-- characters the parser would split on).
create function private.lexeme_query(word text)
returns tsquery
language sql
immutable
strict
parallel safe
set search_path = ''
as $$
  select ('''' || replace(replace(lexeme_query.word, '\', '\\'), '''', '\''') || '''')::tsquery
$$;
comment on function private.lexeme_query(text) is 'The tsquery matching exactly one search_vector lexeme.';
revoke execute on function private.lexeme_query(text) from public;
grant execute on function private.lexeme_query(text) to authenticated, service_role;

-- Security definer: the statements of any writer of contacts (owners, agents, imports, erasure,
-- retention, merges) keep the words, a private table callers cannot write. An insert adds the new
-- words with one probe of the primary key per distinct word of the statement (existing words are
-- left alone, so no row is rewritten or locked); a delete or change looks each word it removed up
-- in the full-text index of active contacts and drops the ones no contact of the owner holds any
-- more. Statements that change no word cost one test of their transition tables.
create function private.track_contact_search_words()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- The (owner, word) pairs the statement took away from active contacts.
  removed_owners uuid[];
  removed_words text[];
begin
  if tg_op = 'UPDATE' then
    if not exists (select 1 from new_rows n join old_rows o on o.id = n.id
                   where (n.user_id, n.status, n.search_vector) is distinct from (o.user_id, o.status, o.search_vector)) then
      return null;
    end if;
    select array_agg(r.user_id), array_agg(r.word) into removed_owners, removed_words
    from (select o.user_id, x.word from old_rows o cross join lateral unnest(tsvector_to_array(o.search_vector)) as x (word)
          where o.status = 'active'
          except
          select n.user_id, x.word from new_rows n cross join lateral unnest(tsvector_to_array(n.search_vector)) as x (word)
          where n.status = 'active') r;
  elsif tg_op = 'DELETE' then
    select array_agg(r.user_id), array_agg(r.word) into removed_owners, removed_words
    from (select distinct o.user_id, x.word from old_rows o cross join lateral unnest(tsvector_to_array(o.search_vector)) as x (word)
          where o.status = 'active') r;
  end if;
  if removed_owners is not null then
    delete from private.contact_search_words w
    using unnest(removed_owners, removed_words) as k (user_id, word)
    where w.user_id = k.user_id and w.word = k.word
      and not exists (
        select 1 from public.contacts c
        where c.user_id = k.user_id and c.status = 'active' and c.search_vector @@ private.lexeme_query(k.word));
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    -- In key order, so that two writers of the same owner's new words never wait on each other in a cycle.
    insert into private.contact_search_words (user_id, word)
    select distinct n.user_id, x.word
    from new_rows n cross join lateral unnest(tsvector_to_array(n.search_vector)) as x (word)
    where n.status = 'active'
    order by 1, 2
    on conflict do nothing;
  end if;
  return null;
end;
$$;
comment on function private.track_contact_search_words() is 'Statement trigger: adds the words of written active contacts to their owner''s search words, and drops those that deleted or changed contacts left to no active contact.';
revoke execute on function private.track_contact_search_words() from public;
grant execute on function private.track_contact_search_words() to authenticated, service_role;

-- What the contacts hold already.
insert into private.contact_search_words (user_id, word)
select distinct c.user_id, x.word
from public.contacts c cross join lateral unnest(tsvector_to_array(c.search_vector)) as x (word)
where c.status = 'active';

-- Built after the words above are in (a build, not one insert per word), and without the pending
-- list: inserted entries would wait there, unsorted, until a vacuum, and every search would read
-- them all (9 ms a lookup after the backfill at 1M contacts, against well under 1 ms). New words
-- are rare after the first contacts of an owner, so writing them into the index directly costs
-- little.
-- squawk-ignore require-concurrent-index-creation -- on the table created here, inside the migration's transaction.
create index contact_search_words_trgm_idx
  on private.contact_search_words using gin (user_id, word extensions.gin_trgm_ops) with (fastupdate = off);
comment on index private.contact_search_words_trgm_idx is 'Agent search: an owner''s words within trigram word-similarity of a misspelt query word.';

create trigger contacts_track_search_words_insert
  after insert on public.contacts
  referencing new table as new_rows
  for each statement execute function private.track_contact_search_words();
create trigger contacts_track_search_words_update
  after update on public.contacts
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.track_contact_search_words();
create trigger contacts_track_search_words_delete
  after delete on public.contacts
  referencing old table as old_rows
  for each statement execute function private.track_contact_search_words();
