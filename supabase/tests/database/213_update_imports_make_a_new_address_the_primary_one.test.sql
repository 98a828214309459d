-- Under on_duplicate update the file's values win: a row's first e-mail address or number of a type
-- that the owner holds nowhere yet becomes the contact's primary of that type, and the old primary
-- stays as a secondary. A value the contact already has keeps its flag, merge_fill_empty adds a new
-- value as a secondary beside a primary, a dry run shows the change, and undo gives the flag back
-- (20251020000103, 20251020000104, 20251020000105).
begin;
select plan(16);

-- ============================================================================================
-- Setup (superuser): owner primary_owner with
--   Ada   (phone +447700900001, primary e-mail ada@old.example)
--   Grace (phone +447700900002, primary e-mail grace@example.com, secondary grace@work.example)
--   Alan  (phone +447700900003, primary e-mail alan@old.example)
--   Hedy  (phone +447700900004, primary e-mail hedy@old.example)
--   jobs keyed by phone: updating, editing and keeping (update), filling (merge_fill_empty),
--   previewing (a dry run under update)
-- ============================================================================================
select tests.create_supabase_user('primary_owner');
insert into public.contacts (id, user_id, first_name)
select ('21300000-0000-4000-8000-00000000000' || n)::uuid, tests.get_supabase_uid('primary_owner'), name
from (values (1, 'Ada'), (2, 'Grace'), (3, 'Alan'), (4, 'Hedy')) as v (n, name);
-- The channels were written a while ago (as the owner's edits would be, later).
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier, is_primary,
  created_at, updated_at)
select ('21300000-0000-4000-8000-0000000001' || n)::uuid, tests.get_supabase_uid('primary_owner'),
  ('21300000-0000-4000-8000-00000000000' || left(n, 1))::uuid, channel_type, identifier, is_primary,
  '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00'
from (values ('10', 'phone', '+447700900001', true), ('11', 'email', 'ada@old.example', true),
             ('20', 'phone', '+447700900002', true), ('21', 'email', 'grace@example.com', true),
             ('22', 'email', 'grace@work.example', false),
             ('30', 'phone', '+447700900003', true), ('31', 'email', 'alan@old.example', true),
             ('40', 'phone', '+447700900004', true), ('41', 'email', 'hedy@old.example', true))
  as v (n, channel_type, identifier, is_primary);

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to authenticated, service_role;
insert into job_ids select name, tests.create_import_job('primary_owner', name, dry_run => name = 'previewing')
from unnest(array['updating', 'editing', 'keeping', 'filling', 'previewing']) as name;
update public.contact_import_jobs j
set options = jsonb_build_object('dedupe_key', 'phone', 'on_duplicate', case when i.name = 'filling' then 'merge_fill_empty' else 'update' end),
    total_rows = 10
from job_ids i where j.id = i.id;

-- One row per contact: its phone (the key) and the e-mail address the file gives it.
create function pg_temp.import(job text, phone text, email text) returns jsonb
language sql as $$
  select private.import_contacts_batch((select id from job_ids where name = job),
    json_build_array(json_build_object('n', 2, 'k', phone, 'channels', json_build_array(
      json_build_object('t', 'phone', 'v', phone, 'nv', phone, 'p', true, 'col', 'phone'),
      json_build_object('t', 'email', 'v', email, 'nv', email, 'p', true, 'col', 'email')))),
    '[]'::json, 100, 3)
$$;

create function pg_temp.emails(contact_number int) returns setof text
language sql as $$
  select e.normalized_identifier || case when e.is_primary then ' (primary)' else '' end
  from public.contact_communication_channels e
  where e.contact_id = ('21300000-0000-4000-8000-00000000000' || contact_number)::uuid and e.channel_type = 'email'
  order by 1
$$;

-- ============================================================================================
-- Persona: owner (primary_owner)
-- ============================================================================================
select tests.authenticate_as('primary_owner');

select is(pg_temp.import('previewing', '+447700900001', 'ada@new.example'),
  '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb, 'a dry run counts Ada as updated');
select is(
  (select j.dry_run_report -> 'changed' -> 0 -> 'changes' -> 'primary_email' from public.contact_import_jobs j
   where j.id = (select id from job_ids where name = 'previewing')),
  '{"from": "ada@old.example", "to": "ada@new.example"}'::jsonb,
  'it shows the primary e-mail address the new one would replace');

select is(pg_temp.import('updating', '+447700900001', 'ada@new.example'),
  '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb, 'an update import gives Ada a new address');
select results_eq($$ select * from pg_temp.emails(1) $$,
  $$ values ('ada@new.example (primary)'), ('ada@old.example') $$,
  'the new address is Ada''s primary one; the old one stays as a secondary');
select is(
  (select c.previous -> 'demoted_primary_channel_ids' from public.contact_import_changes c
   where c.job_id = (select id from job_ids where name = 'updating')),
  '["21300000-0000-4000-8000-000000000111"]'::jsonb, 'the change log keeps the channel that lost the flag');
select is((select updated_at from public.contact_communication_channels where id = '21300000-0000-4000-8000-000000000111'),
  '2026-01-01 00:00:00+00'::timestamptz,
  'losing the flag to the import is no edit of the old address: its updated_at stays, for the undo of earlier imports');

select is(pg_temp.import('editing', '+447700900002', 'grace@work.example'),
  '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb, 'an update import gives Grace an address she has');
select results_eq($$ select * from pg_temp.emails(2) $$,
  $$ values ('grace@example.com (primary)'), ('grace@work.example') $$, 'an address the contact has keeps its flag');

select is(pg_temp.import('filling', '+447700900003', 'alan@new.example'),
  '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb, 'a merge_fill_empty import gives Alan a new address');
select results_eq($$ select * from pg_temp.emails(3) $$,
  $$ values ('alan@new.example'), ('alan@old.example (primary)') $$,
  'under merge_fill_empty a new address is a secondary beside the primary');

select is(pg_temp.import('keeping', '+447700900004', 'hedy@new.example'),
  '{"created": 0, "updated": 1, "skipped": 0, "failed": 0}'::jsonb, 'an update import gives Hedy a new address');

-- Hedy's new address is edited after the import (its times set apart: one transaction has one now()).
reset role;
update public.contact_communication_channels set created_at = created_at - interval '1 minute'
where normalized_identifier = 'hedy@new.example';

-- The worker (the service) completes the jobs; the owner undoes two.
select tests.authenticate_as_service_role();
update public.contact_import_jobs set status = 'completed', total_rows = processed_rows
where id in (select id from job_ids where name in ('updating', 'keeping'));
select tests.authenticate_as('primary_owner');
select is(private.undo_import_job((select id from job_ids where name = 'updating')),
  '{"done": true, "kept": 0, "removed": 0, "restored": 1}'::jsonb, 'the update import is undone');
select results_eq($$ select * from pg_temp.emails(1) $$,
  $$ values ('ada@old.example (primary)') $$, 'the new address is gone, and the old one is Ada''s primary again');
select is((select updated_at from public.contact_communication_channels where id = '21300000-0000-4000-8000-000000000111'),
  '2026-01-01 00:00:00+00'::timestamptz, 'getting the flag back is no edit either');
select is(private.undo_import_job((select id from job_ids where name = 'keeping')),
  '{"done": true, "kept": 0, "removed": 0, "restored": 1}'::jsonb, 'the import that gave Hedy her address is undone');
select results_eq($$ select * from pg_temp.emails(4) $$,
  $$ values ('hedy@new.example (primary)'), ('hedy@old.example') $$,
  'her new address, edited since, stays, and stays her primary one');

select * from finish();
rollback;
