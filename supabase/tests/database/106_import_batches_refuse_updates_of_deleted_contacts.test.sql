-- An import batch locks the contacts it updates before it writes (20251016000000). A contact deleted
-- after the batch was planned (its owner's delete committed in between) is no longer there to lock:
-- the batch is refused as a serialization failure, with nothing written, and the import plans it
-- again. Before, the row was counted as updated and written nowhere.
begin;
select plan(5);

do $$
declare
  owner_id uuid := tests.create_supabase_user('deleting_owner');
  job uuid;
begin
  insert into public.contacts (id, user_id, first_name) values
    ('10600000-0000-4000-8000-000000000001', owner_id, 'Kept');
  select j.job_id into job from private.create_import_job(owner_id, 'a.csv', 1, repeat('a', 64),
    'imports/' || owner_id || '/a.csv', 'upload', '{}', '{"on_duplicate": "update"}', false, 2, false) j;
  update public.contact_import_jobs set status = 'processing' where id = job;
  perform set_config('tests.job_id', job::text, true);
end
$$;

create function pg_temp.planned(n bigint, first_name text, outcome text, contact_id uuid)
returns private.contact_import_plan
language sql
as $$
  select row(json_populate_record(null::private.contact_import_row,
      json_build_object('n', n, 'first_name', first_name, 'channels', '[]'::json)),
    outcome, null, null, null, contact_id, null)::private.contact_import_plan
$$;

select throws_ok(
  $$ select private.import_apply_batch((select j from public.contact_import_jobs j where j.id = current_setting('tests.job_id')::uuid),
       array[pg_temp.planned(2, 'New', 'create', '10600000-0000-4000-8000-0000000000a1'),
             pg_temp.planned(3, 'Gone', 'update', '10600000-0000-4000-8000-0000000000ff')],
       'update', null) $$,
  '40001', 'a contact this import batch would update was deleted after the batch was planned',
  'a batch updating a contact that is gone is refused, to be planned again');
select is((select count(*) from public.contacts where id = '10600000-0000-4000-8000-0000000000a1'), 0::bigint,
  'the refused batch created nothing');
select is((select count(*) from public.contact_import_changes where job_id = current_setting('tests.job_id')::uuid), 0::bigint,
  'the refused batch logged no change');

select lives_ok(
  $$ select private.import_apply_batch((select j from public.contact_import_jobs j where j.id = current_setting('tests.job_id')::uuid),
       array[pg_temp.planned(2, 'New', 'create', '10600000-0000-4000-8000-0000000000a1'),
             pg_temp.planned(3, 'Updated', 'update', '10600000-0000-4000-8000-000000000001')],
       'update', null) $$,
  'a batch whose contacts are all there is written');
select is((select array_agg(first_name order by first_name) from public.contacts
           where id in ('10600000-0000-4000-8000-0000000000a1', '10600000-0000-4000-8000-000000000001')),
  array['New', 'Updated'], 'it created the new contact and updated the existing one');

select * from finish();
rollback;
