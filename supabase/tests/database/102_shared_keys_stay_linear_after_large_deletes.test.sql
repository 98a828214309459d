begin;
select plan(7);

-- The contacts' shared keys are counted once per statement (20251014000002), not probed once per
-- written row. After many contacts with external ids are deleted, the external-id match index keeps
-- its pages while holding few entries, and the planner then walked the owner's contacts for every
-- row instead of reading that index: a 2,000-contact insert read 4,000,000 index entries. This test
-- builds that state (rows deleted, then analyzed, inside the test's transaction), inserts contacts
-- in one statement and counts the index entries the statement read, the insert's own included.
-- The channels' probe, still one per row (through the match-key index), is checked the same way.

select tests.create_supabase_user('deleted_many_owner');
select tests.create_supabase_user('bulk_owner');

insert into public.contacts (user_id, external_id, display_name)
select tests.get_supabase_uid('deleted_many_owner'), 'gone-' || n, 'Gone ' || n from generate_series(1, 5000) n;
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
select c.user_id, c.id, 'email', c.external_id || '@gone.example' from public.contacts c
where c.user_id = tests.get_supabase_uid('deleted_many_owner');
delete from public.contacts c where c.user_id = tests.get_supabase_uid('deleted_many_owner');
analyze public.contacts;
analyze public.contact_communication_channels;

-- The index entries of `tbl` that `statement` reads, its triggers' reads included.
create function pg_temp.entries_read_by(statement text, tbl regclass) returns numeric language plpgsql as $$
declare
  before numeric := (select sum(pg_stat_get_xact_tuples_returned(i.indexrelid)) from pg_index i where i.indrelid = tbl);
begin
  execute statement;
  return (select sum(pg_stat_get_xact_tuples_returned(i.indexrelid)) from pg_index i where i.indrelid = tbl) - before;
end
$$;
create function pg_temp.shared_keys(kind text) returns bigint language sql as $$
  select count(*) from private.duplicate_keys d where d.user_id = tests.get_supabase_uid('bulk_owner') and d.kind = shared_keys.kind
$$;

select cmp_ok(
  (select relpages::numeric / greatest(reltuples, 1)::numeric from pg_class where oid = 'public.contacts_external_id_match_idx'::regclass),
  '>', 1::numeric,
  'the external-id match index holds more pages than entries, as after a large delete');

-- 1,500 new contacts: 1,000 with their own external id, 500 repeating one of them in another case
-- (shared keys), and every tenth with a name block shared with the next.
select cmp_ok(
  pg_temp.entries_read_by($$
    insert into public.contacts (user_id, external_id, display_name, organization)
    select tests.get_supabase_uid('bulk_owner'),
      case when n <= 1000 then 'Ext-' || n else ' ext-' || (n - 1000) || ' ' end,
      'Bulk ' || (n / 2), case when n % 10 in (0, 1) then 'Shared Org' end
    from generate_series(1, 1500) n $$, 'public.contacts'),
  '<', 15000::numeric,
  'a 1,500-contact insert reads its indexes a bounded number of times per contact, not once per contact and row');
select is(pg_temp.shared_keys('external_id'), 500::bigint,
  'every external id that two contacts hold, in any case and spacing, is a shared key');
select is(pg_temp.shared_keys('name'),
  (select count(*) from (select c.name_block from public.contacts c
    where c.user_id = tests.get_supabase_uid('bulk_owner') and c.name_block is not null
    group by c.name_block having count(*) > 1) shared),
  'every name block that two contacts hold is a shared key, and no other');

-- 1,500 channels of those contacts: 1,000 addresses, 500 of them again with a +tag (shared keys).
select cmp_ok(
  pg_temp.entries_read_by($$
    insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
    select c.user_id, c.id, 'email', 'bulk' || (n % 1000) || case when n >= 1000 then '+crm' else '' end || '@bulk.example'
    from (select c.user_id, c.id, row_number() over (order by c.id) - 1 as n from public.contacts c
          where c.user_id = tests.get_supabase_uid('bulk_owner')) c $$, 'public.contact_communication_channels'),
  '<', 15000::numeric,
  'a 1,500-channel insert reads its indexes a bounded number of times per channel, not once per channel and row');
select is(pg_temp.shared_keys('identifier'), 500::bigint,
  'every address that two contacts hold, with or without a +tag, is a shared key');

delete from public.contacts c
where c.user_id = tests.get_supabase_uid('bulk_owner') and c.external_id like ' ext-%';
select is(pg_temp.shared_keys('external_id'), 0::bigint,
  'deleting one of each pair in one statement removes the keys no two contacts hold any more');

select * from finish();
rollback;
