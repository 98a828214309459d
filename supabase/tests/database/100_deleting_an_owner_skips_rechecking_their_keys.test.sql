begin;
select plan(7);

-- Deleting an owner (auth.users) cascades to their contacts and channels. The owner's shared
-- duplicate keys and search words go by their own cascade, so the statement triggers that keep them
-- do not re-check each deleted key and word (20251014000000 and 20251014000002; the re-checks took
-- 6.1 s of deleting an owner of 303,002 contacts). The work is counted with the transaction's own
-- statistics: calls of the functions only the re-checks use, and scans of the index only the
-- contacts' re-check reads. Deleting a contact of an owner who stays is the control: there the
-- re-checks run and keep the keys exact.

set local track_functions = 'all';

select tests.create_supabase_user('leaving_owner');
select tests.create_supabase_user('staying_owner');

create function pg_temp.add_duplicates(who text) returns void language sql as $$
  insert into public.contacts (user_id, external_id, display_name, organization)
  select tests.get_supabase_uid(who), 'dup-' || n, 'Ada Lovelace', 'Analytical Engines' from generate_series(1, 3) n;
  insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
  select c.user_id, c.id, 'email',
    case c.external_id when 'dup-1' then 'ada@engines.example' when 'dup-2' then 'ada@engines.example.uk' else 'ada+crm@engines.example.uk' end
  from public.contacts c where c.user_id = tests.get_supabase_uid(who);
  insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
  select c.user_id, c.id, 'phone', '+442079460000'
  from public.contacts c where c.user_id = tests.get_supabase_uid(who) and c.external_id = 'dup-1';
  insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
  select c.user_id, c.id, 'whatsapp', '+442079460000'
  from public.contacts c where c.user_id = tests.get_supabase_uid(who) and c.external_id = 'dup-2';
$$;
select pg_temp.add_duplicates('leaving_owner');
select pg_temp.add_duplicates('staying_owner');

create function pg_temp.recheck_work() returns bigint language sql as $$
  select coalesce(pg_stat_get_xact_function_calls('private.channel_match_key(text, text)'::regprocedure), 0)
       + coalesce(pg_stat_get_xact_function_calls('private.lexeme_query(text)'::regprocedure), 0)
       + pg_stat_get_xact_numscans('public.contacts_user_id_name_block_idx'::regclass)
$$;
create temporary table work_before (work bigint) on commit drop;

-- ============================================================================================
-- An owner who stays: deleting a contact re-checks, and keeps the keys exact
-- ============================================================================================
insert into work_before select pg_temp.recheck_work();
delete from public.contacts c where c.user_id = tests.get_supabase_uid('staying_owner') and c.external_id = 'dup-1';
select cmp_ok(pg_temp.recheck_work(), '>', (select work from work_before),
  'deleting a contact of an owner who stays re-checks the keys and words it held');
select is(
  (select array_agg(d.kind || ':' || d.match_key order by d.kind, d.match_key) from private.duplicate_keys d
   where d.user_id = tests.get_supabase_uid('staying_owner') and d.kind = 'identifier'),
  array['identifier:mail:ada@engines.example.uk'],
  'the key that contact alone shared is gone, the key two remaining contacts share stays');

-- ============================================================================================
-- An owner who is deleted: nothing is re-checked, and nothing of theirs remains
-- ============================================================================================
select ok(
  (select count(*) from private.duplicate_keys d where d.user_id = tests.get_supabase_uid('leaving_owner')) > 0
  and (select count(*) from private.contact_search_words w where w.user_id = tests.get_supabase_uid('leaving_owner')) > 0,
  'the owner to delete has shared keys and search words');
create temporary table leaving (id uuid) on commit drop;
insert into leaving select tests.get_supabase_uid('leaving_owner');
create temporary table staying_keys on commit drop as
  select d.kind, d.match_key from private.duplicate_keys d where d.user_id = tests.get_supabase_uid('staying_owner');

truncate work_before;
insert into work_before select pg_temp.recheck_work();
delete from auth.users u where u.id = (select id from leaving);
select is(pg_temp.recheck_work(), (select work from work_before),
  'deleting the owner re-checks none of the keys and words of their contacts and channels');
select is((select count(*) from private.duplicate_keys d where d.user_id = (select id from leaving)), 0::bigint,
  'the deleted owner''s shared keys are gone');
select is((select count(*) from private.contact_search_words w where w.user_id = (select id from leaving)), 0::bigint,
  'the deleted owner''s search words are gone');
select set_eq(
  $$ select d.kind, d.match_key from private.duplicate_keys d where d.user_id = tests.get_supabase_uid('staying_owner') $$,
  $$ select kind, match_key from staying_keys $$,
  'the other owner''s keys are untouched');

select * from finish();
rollback;
