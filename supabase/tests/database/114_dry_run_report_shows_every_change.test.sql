-- A dry run's sample of changed rows shows every field the import would write, merged as it merges
-- them (names, work fields, external id, custom fields, tags), and the channels it would add
-- (20251018000003).
begin;
select plan(3);

select tests.create_supabase_user('dry_run_owner');
insert into public.contacts (id, user_id, first_name, external_id, metadata, tags) values
  ('14000000-0000-4000-8000-000000000001', tests.get_supabase_uid('dry_run_owner'), 'Ada', null, '{"tier": "gold"}', '{speaker}');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier, is_primary) values
  (tests.get_supabase_uid('dry_run_owner'), '14000000-0000-4000-8000-000000000001', 'email', 'ada@example.com', true);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role;
insert into job_ids values ('preview', tests.create_import_job('dry_run_owner', 'preview', dry_run => true));
update public.contact_import_jobs set options = '{"on_duplicate": "merge_fill_empty"}' where id = (select id from job_ids);

select tests.authenticate_as_service_role();
select is(private.import_contacts_batch((select id from job_ids), $$[
  {"n": 2, "k": "ada@example.com", "first_name": "Augusta", "external_id": "CRM-7", "tags": ["speaker", "author"],
   "metadata": {"tier": "silver", "region": "EU"},
   "channels": [{"t": "email", "v": "ada@example.com", "nv": "ada@example.com", "p": true, "col": "email"},
                {"t": "phone", "v": "+442079460018", "nv": "+442079460018", "p": true, "col": "phone"}]}
]$$::json, '[]'::json, 100, 2), '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb, 'the dry run counts the row as an update');
reset role;

select is((select dry_run_report -> 'changed' from public.contact_import_jobs where id = (select id from job_ids)),
  '[{"row": 2, "contact_id": "14000000-0000-4000-8000-000000000001",
     "changes": {"external_id": {"from": null, "to": "CRM-7"},
                 "metadata": {"from": {"tier": "gold"}, "to": {"tier": "gold", "region": "EU"}},
                 "tags": {"from": ["speaker"], "to": ["speaker", "author"]}},
     "new_channels": [{"type": "phone", "identifier": "+442079460018"}]}]'::jsonb,
  'the sample shows the external id, custom fields and tags the row would fill or add, the phone it would add, and not the name it keeps');
select results_eq($$ select external_id, metadata, tags, (select count(*) from public.contact_communication_channels ch where ch.contact_id = c.id)
    from public.contacts c where c.id = '14000000-0000-4000-8000-000000000001' $$,
  $$ values (null::text, '{"tier": "gold"}'::jsonb, '{speaker}'::text[], 1::bigint) $$, 'and nothing is written');

select * from finish();
rollback;
