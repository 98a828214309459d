-- An upload no import job keeps (the same file sent again, a job that could not be created), whose
-- removal from Storage failed, is queued by import-contacts for contacts-retention's sweep
-- (20251018000000): on the owner's connection or the service's, and only the import's own upload
-- paths in the owner's folder, never a file the owner put in Storage.
begin;
select plan(10);

select tests.create_supabase_user('queueing_owner');
select tests.create_supabase_user('other_owner');

create function pg_temp.upload_of(identifier text, name uuid) returns text language sql as $$
  select 'imports/' || tests.get_supabase_uid(identifier) || '/' || name || '.csv'
$$;
create function pg_temp.queued(path text) returns setof uuid language sql as $$
  select user_id from private.import_uploads_to_remove where storage_path = path
$$;

-- Owner: queues their own uploads
select tests.authenticate_as('queueing_owner');
select lives_ok(
  format('select private.queue_unused_import_upload(%L, %L)', tests.get_supabase_uid('queueing_owner'),
    pg_temp.upload_of('queueing_owner', '00000000-0000-4000-8000-000000000001')),
  'the owner queues an upload of theirs that no job keeps');
select lives_ok(
  format('select private.queue_unused_import_upload(%L, %L)', tests.get_supabase_uid('queueing_owner'),
    pg_temp.upload_of('queueing_owner', '00000000-0000-4000-8000-000000000001')),
  'queueing the same upload again is no error');
select throws_ok(
  format('select private.queue_unused_import_upload(%L, %L)', tests.get_supabase_uid('other_owner'),
    pg_temp.upload_of('other_owner', '00000000-0000-4000-8000-000000000002')),
  '42501', null, 'an owner cannot queue another owner''s upload');
select throws_ok(
  format('select private.queue_unused_import_upload(%L, %L)', tests.get_supabase_uid('queueing_owner'),
    'imports/' || tests.get_supabase_uid('queueing_owner') || '/customers-2026.csv'),
  '42501', null, 'a file the owner named themselves, even in their uploads folder, is never queued');
select throws_ok(
  format('select private.queue_unused_import_upload(%L, %L)', tests.get_supabase_uid('queueing_owner'),
    'exports/' || tests.get_supabase_uid('queueing_owner') || '/00000000-0000-4000-8000-000000000003.csv'),
  '42501', null, 'a file in another bucket is never queued');
select throws_ok(
  format('select private.queue_unused_import_upload(%L, %L)', tests.get_supabase_uid('queueing_owner'),
    'imports/' || tests.get_supabase_uid('queueing_owner') || '/../' || tests.get_supabase_uid('other_owner')
      || '/00000000-0000-4000-8000-000000000004.csv'),
  '42501', null, 'a path that climbs out of the owner''s folder is refused');
-- Agent (the owner's token scoped to an agent id)
select tests.authenticate_as_agent('queueing_owner', gen_random_uuid());
select throws_ok(
  format('select private.queue_unused_import_upload(%L, %L)', tests.get_supabase_uid('queueing_owner'),
    pg_temp.upload_of('queueing_owner', '00000000-0000-4000-8000-000000000005')),
  '42501', null, 'an agent-scoped token cannot queue the owner''s uploads');
reset role;

-- Service: queues another owner's upload
select tests.authenticate_as_service_role();
select private.queue_unused_import_upload(tests.get_supabase_uid('other_owner'),
  pg_temp.upload_of('other_owner', '00000000-0000-4000-8000-000000000006'));
reset role;

select results_eq(
  $$ select storage_path, user_id from private.import_uploads_to_remove
     where user_id in (tests.get_supabase_uid('queueing_owner'), tests.get_supabase_uid('other_owner')) order by storage_path $$,
  format($$ values (%L, %L::uuid), (%L, %L::uuid) order by 1 $$,
    pg_temp.upload_of('queueing_owner', '00000000-0000-4000-8000-000000000001'), tests.get_supabase_uid('queueing_owner'),
    pg_temp.upload_of('other_owner', '00000000-0000-4000-8000-000000000006'), tests.get_supabase_uid('other_owner')),
  'the queue holds the owner''s upload once and the one the service queued, each under its owner');
select ok(exists (select 1 from private.import_uploads_due(tests.get_supabase_uid('queueing_owner'), 10)
    where storage_path = pg_temp.upload_of('queueing_owner', '00000000-0000-4000-8000-000000000001')),
  'the queued upload is due for the owner''s next retention run');

-- Anon
set local role anon;
select throws_ok(
  format('select private.queue_unused_import_upload(%L, %L)', tests.get_supabase_uid('queueing_owner'),
    pg_temp.upload_of('queueing_owner', '00000000-0000-4000-8000-000000000007')),
  '42501', null, 'an anonymous caller cannot queue anything');
reset role;

select * from finish();
rollback;
