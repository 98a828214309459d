-- A row whose only identifier is its external id may update the contact that has that id; one that
-- would create a contact has nothing to name it by, and the database refuses it. A dry run foresees
-- that refusal as missing_name, the reason import-contacts gives it in a real run
-- (20251020000098); rows with a name, an organization or an identifier create as before.
begin;
select plan(5);

-- ============================================================================================
-- Setup (superuser): owner refusal_owner with the contact C-1 (Ada) and a dry-run job.
-- ============================================================================================
select tests.create_supabase_user('refusal_owner');
insert into public.contacts (id, user_id, display_name, external_id)
values ('21000000-0000-4000-8000-000000000001', tests.get_supabase_uid('refusal_owner'), 'Ada', 'C-1');
create temporary table job_ids (name text primary key, id uuid) on commit drop;
insert into job_ids values ('preview', tests.create_import_job('refusal_owner', 'preview', dry_run => true));

-- The reason a dry run gives a planned step for a row of the file (n 2) with these values.
create function pg_temp.refusal(outcome text, first_name text, external_id text, channels jsonb, contact_id uuid) returns text
language sql as $$
  select private.import_refusal(j,
    row(row(2, external_id, first_name, null, null, null, null, external_id, 'External ID', null, null, channels)::private.contact_import_row,
      outcome, null, null, null, coalesce(contact_id, gen_random_uuid()), null)::private.contact_import_plan, 'update')
  from public.contact_import_jobs j where j.id = (select id from job_ids where name = 'preview')
$$;

-- ============================================================================================
-- service_role (the import's worker)
-- ============================================================================================
select is(split_part(pg_temp.refusal('create', null, 'C-9', '[]', null), ':', 1), 'missing_name',
  'a dry run fails a row with only an external id that would create a contact, as missing_name');
select is(pg_temp.refusal('update', null, 'C-1', '[]', '21000000-0000-4000-8000-000000000001'), null,
  'a row with only an external id that updates the contact having it is not refused');
select is(pg_temp.refusal('create', 'Grace', 'C-9', '[]', null), null, 'a new contact with a first name is not refused');
select is(pg_temp.refusal('create', null, null, '[{"t": "email", "v": "g@example.com"}]', null), null,
  'a new contact with only an e-mail address is named by it, and not refused');
select throws_ok($$ insert into public.contacts (user_id, external_id) values (tests.get_supabase_uid('refusal_owner'), 'C-9') $$,
  '23502', 'a contact needs a display name, a first or last name, or an organization',
  'the database refuses the contact such a row would create, which is what the dry run foresees');

select * from finish();
rollback;
