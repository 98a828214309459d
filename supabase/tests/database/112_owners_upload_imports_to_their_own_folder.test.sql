-- Owners upload the files they import through Storage's API to their own folder of the imports
-- bucket, which is private (20251018000001). Storage runs each request as the caller against these
-- policies on storage.objects: another owner's folder, another bucket, an agent-scoped token and an
-- anonymous caller get nothing.
begin;
select plan(15);
-- This test deletes rows of storage.objects as Storage's API would. Newer Storage images refuse
-- such deletes unless the transaction says so (the setting's name changed between versions); the
-- docker-free stack's stand-in has no such guard.
select set_config('storage.allow_delete_query', 'true', true), set_config('storage.can_delete', 'true', true);

select tests.create_supabase_user('uploader');
select tests.create_supabase_user('neighbour');

create function pg_temp.file_of(identifier text, file text) returns text language sql as $$
  select tests.get_supabase_uid(identifier) || '/' || file
$$;
insert into storage.buckets (id, name) values ('avatars', 'avatars');
insert into storage.objects (bucket_id, name) values
  ('imports', pg_temp.file_of('neighbour', 'theirs.csv')),
  ('avatars', pg_temp.file_of('uploader', 'me.png'));

select results_eq($$ select public, file_size_limit from storage.buckets where id = 'imports' $$,
  $$ values (false, 536870912::bigint) $$, 'the imports bucket exists, private, with the 512 MB limit of an import');
select policies_are('storage', 'objects',
  array['objects_select_policy_imports', 'objects_insert_policy_imports', 'objects_update_policy_imports', 'objects_delete_policy_imports'],
  'storage.objects has one policy per command for the imports bucket');

-- Owner (uploader)
select tests.authenticate_as('uploader');
select lives_ok(format($$ insert into storage.objects (bucket_id, name) values ('imports', %L) $$, pg_temp.file_of('uploader', 'contacts.csv')),
  'an owner uploads a file to their own folder of the imports bucket');
select throws_ok(format($$ insert into storage.objects (bucket_id, name) values ('imports', %L) $$, pg_temp.file_of('neighbour', 'planted.csv')),
  '42501', null, 'an owner cannot upload to another owner''s folder');
select throws_ok($$ insert into storage.objects (bucket_id, name) values ('imports', 'loose.csv') $$,
  '42501', null, 'an owner cannot upload outside any folder');
select throws_ok(format($$ insert into storage.objects (bucket_id, name) values ('avatars', %L) $$, pg_temp.file_of('uploader', 'other.png')),
  '42501', null, 'these policies give nothing in another bucket');
select results_eq($$ select name from storage.objects $$, format($$ values (%L) $$, pg_temp.file_of('uploader', 'contacts.csv')),
  'an owner sees only their own files of the imports bucket');
select lives_ok(format($$ update storage.objects set metadata = '{"size": 2}' where name = %L $$, pg_temp.file_of('uploader', 'contacts.csv')),
  'an owner replaces their own file (an upload with upsert)');
select throws_ok(format($$ update storage.objects set name = %L where name = %L $$, pg_temp.file_of('neighbour', 'moved.csv'), pg_temp.file_of('uploader', 'contacts.csv')),
  '42501', null, 'an owner cannot move a file into another owner''s folder');
update storage.objects set metadata = '{}' where name = pg_temp.file_of('neighbour', 'theirs.csv');
delete from storage.objects where name = pg_temp.file_of('neighbour', 'theirs.csv');
reset role;
select results_eq(format($$ select count(*)::int from storage.objects where name = %L and metadata is null $$, pg_temp.file_of('neighbour', 'theirs.csv')),
  $$ values (1) $$, 'another owner''s file is neither changed nor removed by an owner');

-- Agent (the uploader's token scoped to an agent id)
select tests.authenticate_as_agent('uploader', gen_random_uuid());
select is_empty($$ select name from storage.objects $$, 'an agent-scoped token sees none of the owner''s files');
select throws_ok(format($$ insert into storage.objects (bucket_id, name) values ('imports', %L) $$, pg_temp.file_of('uploader', 'by-agent.csv')),
  '42501', null, 'an agent-scoped token cannot upload to the owner''s folder');
reset role;

-- Anon
set local role anon;
select is_empty($$ select name from storage.objects $$, 'an anonymous caller sees no file');
reset role;

-- Owner (uploader): removes their own file
select tests.authenticate_as('uploader');
select lives_ok(format($$ delete from storage.objects where name = %L $$, pg_temp.file_of('uploader', 'contacts.csv')),
  'an owner removes their own file');
reset role;
select is_empty(format($$ select 1 from storage.objects where name = %L $$, pg_temp.file_of('uploader', 'contacts.csv')),
  'and it is gone');

select * from finish();
rollback;
