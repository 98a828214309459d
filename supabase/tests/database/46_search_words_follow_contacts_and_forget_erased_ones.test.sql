begin;
select plan(12);

-- private.contact_search_words: the words of an owner's active contacts, which the agent search
-- corrects typos among. Written contacts add their words; a word goes as soon as no active contact
-- of the owner holds it (erased, anonymized, archived, deleted or renamed), while a word another
-- contact still holds stays. Each owner's words are their own.

-- ============================================================================================
-- Setup (superuser): two owners; the first's agent reads all contacts.
-- ============================================================================================
select tests.create_supabase_user('words_owner');
select tests.create_supabase_user('words_other_owner');

insert into public.agents (id, user_id, name) values
  ('a0460000-0000-4000-8000-000000000001', tests.get_supabase_uid('words_owner'), 'finder');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type) values
  (tests.get_supabase_uid('words_owner'), 'a0460000-0000-4000-8000-000000000001', 'all_contacts');

create function pg_temp.contact(external text) returns uuid language sql as $$
  select c.id from public.contacts c where c.user_id = tests.get_supabase_uid('words_owner') and c.external_id = external
$$;
grant execute on function pg_temp.contact(text) to public;
create function pg_temp.words_of(who text) returns text[] language sql as $$
  select coalesce(array_agg(w.word order by w.word), '{}') from private.contact_search_words w
  where w.user_id = tests.get_supabase_uid(who)
$$;

-- ============================================================================================
-- Owner: contacts written through the API add their words
-- ============================================================================================
select tests.authenticate_as('words_owner');
insert into public.contacts (external_id, display_name, organization, job_title) values
  ('w1', 'Quillon Varnaby', 'Zephyrix Labs', 'Cartographer'),
  ('w2', 'Ottoline Varnaby', null, null),
  ('w3', 'Brisseau Ombrell', null, null),
  ('w4', 'Tamsin Fellowe', null, null),
  ('w5', 'Ysolde Krantzen', null, null);
select tests.clear_authentication();
reset role;

select is(pg_temp.words_of('words_owner'),
  array['brisseau', 'cartographer', 'fellowe', 'krantzen', 'labs', 'ombrell', 'ottoline', 'quillon', 'tamsin', 'varnaby', 'ysolde', 'zephyrix'],
  'the owner''s words are the distinct full-text words of its active contacts');

select tests.authenticate_as('words_other_owner');
insert into public.contacts (display_name) values ('Quillon Varnaby');
select tests.clear_authentication();
reset role;
select is(pg_temp.words_of('words_other_owner'), array['quillon', 'varnaby'],
  'another owner''s contact of the same name gives that owner its own words');

-- ============================================================================================
-- Owner: the search corrects a misspelt word among those words
-- ============================================================================================
select tests.authenticate_as('words_owner');
select results_eq(
  $$ select contact_id, match_reason from public.search_contacts_for_agent('a0460000-0000-4000-8000-000000000001', 'Quilon Varnabby') $$,
  $$ values (pg_temp.contact('w1'), 'trigram') $$,
  'a name misspelt in both words finds the contact through the corrected words');
select is(
  (select count(*) from public.search_contacts_for_agent('a0460000-0000-4000-8000-000000000001', 'Zephirix')),
  1::bigint,
  'a misspelt organization word finds its contact');

-- ============================================================================================
-- Owner: erasing, anonymizing, archiving, deleting and renaming take the words away
-- ============================================================================================
select public.gdpr_delete_contact(pg_temp.contact('w1'));
select public.gdpr_delete_contact(pg_temp.contact('w3'), 'anonymize');
update public.contacts set status = 'archived' where id = pg_temp.contact('w4');
delete from public.contacts where id = pg_temp.contact('w5');
update public.contacts set display_name = 'Ottoline Marchetti' where id = pg_temp.contact('w2');
select tests.clear_authentication();
reset role;

select ok(not (pg_temp.words_of('words_owner') && array['quillon', 'zephyrix', 'labs', 'cartographer']),
  'nothing of an erased contact stays among the owner''s words');
select ok(not (pg_temp.words_of('words_owner') && array['brisseau', 'ombrell']),
  'nothing of an anonymized contact stays among the owner''s words');
select ok(not (pg_temp.words_of('words_owner') && array['tamsin', 'fellowe']),
  'an archived contact''s words go (the search reads active contacts only)');
select ok(not (pg_temp.words_of('words_owner') && array['ysolde', 'krantzen']),
  'a deleted contact''s words go');
select is(pg_temp.words_of('words_owner'), array['marchetti', 'ottoline'],
  'a renamed contact trades its old words for the new ones (varnaby went with the last contact holding it)');
select is(pg_temp.words_of('words_other_owner'), array['quillon', 'varnaby'],
  'another owner''s words are untouched by this owner''s erasures');

select tests.authenticate_as('words_owner');
select is(
  (select count(*) from public.search_contacts_for_agent('a0460000-0000-4000-8000-000000000001', 'Quilon Varnabby')),
  0::bigint,
  'the erased contact is found by no typo any more');

-- An archived contact made active again brings its words back.
update public.contacts set status = 'active' where id = pg_temp.contact('w4');
select tests.clear_authentication();
reset role;
select ok(pg_temp.words_of('words_owner') @> array['tamsin', 'fellowe'],
  'a contact made active again brings its words back');

select * from finish();
rollback;
