-- Rows whose outcome depends on what an earlier row of their batch writes are decided as one batch
-- after another would decide them (20251020000017 to 20251020000019), in real runs and dry runs:
-- an update that replaces a contact's external id frees it for a later row; a row without a key is
-- matched to the first holder of its identifiers by type, whichever row wrote it; a refused write
-- in a dry run is refused only where it stays a write; and under merge_fill_empty a contact keeps
-- its own external id, free for no one else. A dry run's report keeps what each pass found.
begin;
select plan(21);

create temporary table outcomes (scenario text, mode text, counts jsonb, report jsonb, contacts jsonb, preview jsonb) on commit drop;
grant all on outcomes to authenticated, service_role;

-- The file of a scenario, for a fresh owner set up alike, as one batch and one batch a row, real
-- and dry: its counts, its report (row, column, reason) and the contacts it leaves.
create function pg_temp.run(scenario text, setup text, file json, options jsonb, modes text[]) returns void
language plpgsql as $$
declare
  mode text;
  owner_id uuid;
  import_job uuid;
  counts jsonb;
  item record;
begin
  foreach mode in array modes loop
    owner_id := tests.create_supabase_user(scenario || '_' || mode);
    execute format(setup, owner_id);
    select j.job_id into import_job from private.create_import_job(owner_id, 'f.csv', 1, md5(scenario) || md5(mode),
      'imports/' || owner_id || '/f.csv', 'upload', '{}', options, mode like 'dry%', json_array_length(file), false) as j;
    update public.contact_import_jobs set status = 'processing' where id = import_job;
    perform tests.authenticate_as_service_role();
    if mode like '%whole' then
      counts := private.import_contacts_batch(import_job, file, '[]'::json, 1000, 1000);
    else
      counts := '{"created": 0, "updated": 0, "skipped": 0, "failed": 0}';
      for item in select x.value, x.position from json_array_elements(file) with ordinality as x (value, position) loop
        select jsonb_object_agg(c.key, (counts ->> c.key)::int + c.value::int) into counts
        from jsonb_each_text(private.import_contacts_batch(import_job, json_build_array(item.value), '[]'::json, item.position * 10, item.position + 1)) as c;
      end loop;
    end if;
    reset role;
    insert into outcomes values (scenario, mode, counts,
      (select jsonb_agg(jsonb_build_array(e.row_number, e.column_name, e.reason) order by e.row_number)
       from public.contact_import_job_errors e where e.job_id = import_job),
      (select jsonb_agg(jsonb_build_array(c.first_name, c.external_id) order by c.first_name)
       from public.contacts c where c.user_id = owner_id),
      (select jsonb_object_agg(k.key, (select jsonb_agg(e -> 'row' order by (e ->> 'row')::int) from jsonb_array_elements(k.value) as e))
       from public.contact_import_jobs j cross join jsonb_each(j.dry_run_report) as k where j.id = import_job));
  end loop;
end;
$$;

-- service_role (the worker's part)
select pg_temp.run('freed',
  $$ insert into public.contacts (user_id, first_name, external_id) values (%1$L, 'One', 'X-1');
     insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     select user_id, id, 'email', 'one@freed.test' from public.contacts where user_id = %1$L $$,
  $$[{"n": 2, "k": "one@freed.test", "first_name": "One renamed", "external_id": "X-2", "xcol": "customer",
      "channels": [{"t": "email", "v": "one@freed.test", "nv": "one@freed.test", "p": true, "col": "email"}]},
     {"n": 3, "k": "new@freed.test", "first_name": "New", "external_id": "X-1", "xcol": "customer",
      "channels": [{"t": "email", "v": "new@freed.test", "nv": "new@freed.test", "p": true, "col": "email"}]}]$$,
  '{"on_duplicate": "update"}', array['whole', 'rows', 'dry_whole', 'dry_rows']);
select pg_temp.run('freed_key',
  $$ insert into public.contacts (user_id, first_name, external_id) values (%1$L, 'One', 'X-1');
     insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     select user_id, id, 'email', 'one@freed.test' from public.contacts where user_id = %1$L $$,
  $$[{"n": 2, "k": null, "first_name": "One renamed", "external_id": "X-2", "xcol": "customer",
      "channels": [{"t": "email", "v": "one@freed.test", "nv": "one@freed.test", "p": true, "col": "email"}]},
     {"n": 3, "k": "X-1", "first_name": "New", "external_id": "X-1", "xcol": "customer",
      "channels": [{"t": "email", "v": "new@freed.test", "nv": "new@freed.test", "p": true, "col": "email"}]}]$$,
  '{"dedupe_key": "external_id", "on_duplicate": "update"}', array['whole', 'rows', 'dry_whole', 'dry_rows']);
select pg_temp.run('kept',
  $$ insert into public.contacts (user_id, first_name, external_id) values (%1$L, 'One', 'X-1');
     insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     select user_id, id, 'email', 'one@kept.test' from public.contacts where user_id = %1$L $$,
  $$[{"n": 2, "k": "one@kept.test", "first_name": "One", "external_id": "X-9", "xcol": "customer",
      "channels": [{"t": "email", "v": "one@kept.test", "nv": "one@kept.test", "p": true, "col": "email"}]},
     {"n": 3, "k": "new@kept.test", "first_name": "New", "external_id": "X-9", "xcol": "customer",
      "channels": [{"t": "email", "v": "new@kept.test", "nv": "new@kept.test", "p": true, "col": "email"}]}]$$,
  '{"on_duplicate": "merge_fill_empty"}', array['whole', 'rows', 'dry_whole', 'dry_rows']);
select pg_temp.run('by_type',
  $$ insert into public.contacts (user_id, first_name) values (%1$L, 'Phone holder');
     insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     select user_id, id, 'phone', '+442079460050' from public.contacts where user_id = %1$L $$,
  $$[{"n": 2, "k": "a@type.test", "first_name": "A",
      "channels": [{"t": "email", "v": "a@type.test", "nv": "a@type.test", "p": true, "col": "email"}]},
     {"n": 3, "k": null, "first_name": "Both",
      "channels": [{"t": "email", "v": "a@type.test", "nv": "a@type.test", "p": true, "col": "email"},
                   {"t": "phone", "v": "+442079460050", "nv": "+442079460050", "p": true, "col": "phone"}]}]$$,
  '{"on_duplicate": "update"}', array['whole', 'rows', 'dry_whole', 'dry_rows']);
select pg_temp.run('same_type', '',
  $$[{"n": 2, "k": "a@type.test", "first_name": "A",
      "channels": [{"t": "email", "v": "a@type.test", "nv": "a@type.test", "p": true, "col": "email"}]},
     {"n": 3, "k": "b@type.test", "first_name": "B",
      "channels": [{"t": "email", "v": "b@type.test", "nv": "b@type.test", "p": true, "col": "email"}]},
     {"n": 4, "k": null, "first_name": "Both",
      "channels": [{"t": "email", "v": "b@type.test", "nv": "b@type.test", "p": true, "col": "email"},
                   {"t": "email", "v": "a@type.test", "nv": "a@type.test", "p": false, "col": "email2"}]}]$$,
  '{"on_duplicate": "update"}', array['whole', 'rows', 'dry_whole', 'dry_rows']);
select pg_temp.run('passes',
  $$ insert into public.contacts (user_id, first_name, external_id) values (%1$L, 'One', 'X-1'), (%1$L, 'Phone holder', null);
     insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     select user_id, id, case first_name when 'One' then 'email' else 'phone' end,
       case first_name when 'One' then 'one@passes.test' else '+442079460052' end
     from public.contacts where user_id = %1$L $$,
  $$[{"n": 2, "k": "held@passes.test", "first_name": "Held phone",
      "channels": [{"t": "email", "v": "held@passes.test", "nv": "held@passes.test", "p": true, "col": "email"},
                   {"t": "phone", "v": "+442079460052", "nv": "+442079460052", "p": true, "col": "phone"}]},
     {"n": 3, "k": "c@passes.test", "first_name": "C",
      "channels": [{"t": "email", "v": "c@passes.test", "nv": "c@passes.test", "p": true, "col": "email"}]},
     {"n": 4, "k": "one@passes.test", "first_name": "One renamed", "external_id": "X-2", "xcol": "customer",
      "channels": [{"t": "email", "v": "one@passes.test", "nv": "one@passes.test", "p": true, "col": "email"}]},
     {"n": 5, "k": "new@passes.test", "first_name": "New", "external_id": "X-1", "xcol": "customer",
      "channels": [{"t": "email", "v": "new@passes.test", "nv": "new@passes.test", "p": true, "col": "email"}]}]$$,
  '{"on_duplicate": "update"}', array['whole', 'rows', 'dry_whole', 'dry_rows']);
-- Refusals: a real run meets them as a check violation, which the worker splits down to the row
-- (import-contacts.test.ts); a dry run foresees them.
select pg_temp.run('refused',
  $$ insert into public.contacts (user_id, first_name, tags) select %1$L, 'Tagged', array(select 't' || n from generate_series(1, 95) as n);
     insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
     select user_id, id, 'email', 'tagged@refused.test' from public.contacts where user_id = %1$L $$,
  format($$[{"n": 2, "k": "a@refused.test", "first_name": "A",
      "channels": [{"t": "email", "v": "a@refused.test", "nv": "a@refused.test", "p": true, "col": "email"}]},
     {"n": 3, "k": "a@refused.test", "first_name": "A with too many tags", "tags": %s,
      "channels": [{"t": "email", "v": "a@refused.test", "nv": "a@refused.test", "p": true, "col": "email"}]},
     {"n": 4, "k": "e@refused.test", "first_name": "E",
      "channels": [{"t": "email", "v": "e@refused.test", "nv": "e@refused.test", "p": true, "col": "email"},
                   {"t": "phone", "v": "+442079460051", "nv": "+442079460051", "p": true, "col": "phone"}]},
     {"n": 5, "k": "tagged@refused.test", "first_name": "Tagged conflict",
      "channels": [{"t": "email", "v": "tagged@refused.test", "nv": "tagged@refused.test", "p": true, "col": "email"},
                   {"t": "phone", "v": "+442079460051", "nv": "+442079460051", "p": true, "col": "phone"}]},
     {"n": 6, "k": "tagged@refused.test", "first_name": "Tagged more", "tags": ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10"],
      "channels": [{"t": "email", "v": "tagged@refused.test", "nv": "tagged@refused.test", "p": true, "col": "email"}]}]$$,
    (select json_agg('x' || n) from generate_series(1, 101) as n))::json,
  '{"on_duplicate": "update"}', array['dry_whole', 'dry_rows']);

select is((select count(distinct (o.counts, o.report)) from outcomes o where o.scenario = s)::int, 1,
  format('%s: one batch and one batch a row, real and dry, count and report alike', s))
from unnest(array['freed', 'freed_key', 'kept', 'by_type', 'same_type', 'passes', 'refused']) as s;
select is((select count(distinct o.contacts) from outcomes o where o.scenario = s and o.mode in ('whole', 'rows'))::int, 1,
  format('%s: one batch and one batch a row leave the same contacts', s))
from unnest(array['freed', 'freed_key', 'kept', 'by_type']) as s;
select is((select count(distinct o.preview) from outcomes o where o.scenario = s and o.mode like 'dry%')::int, 1,
  format('%s: the dry run''s report samples the same rows as one batch and one batch a row', s))
from unnest(array['freed', 'passes', 'refused']) as s;

select is((select contacts from outcomes where scenario = 'freed' and mode = 'whole'),
  '[["New", "X-1"], ["One renamed", "X-2"]]'::jsonb,
  'an update replacing an external id frees it: a later row of the batch takes it for a new contact');
select is((select contacts from outcomes where scenario = 'freed_key' and mode = 'whole'),
  '[["New", "X-1"], ["One renamed", "X-2"]]'::jsonb,
  'under the external id key, the row keyed by the freed id makes a new contact');
select is((select report from outcomes where scenario = 'kept' and mode = 'whole'), null::jsonb,
  'under merge_fill_empty the contact keeps its external id, and the row after takes the one it was not given');
select is((select report from outcomes where scenario = 'by_type' and mode = 'whole'),
  '[[3, "phone", "identifier_conflict: this phone belongs to another contact"]]'::jsonb,
  'a keyless row is matched by its e-mail before its phone, whichever row wrote it, and fails on the phone');
select is((select report from outcomes where scenario = 'same_type' and mode = 'whole'),
  '[[4, "email2", "identifier_conflict: this email belongs to another contact"]]'::jsonb,
  'a keyless row holding two contacts'' e-mails is matched by the first column''s and fails on the other');
select is((select preview from outcomes where scenario = 'passes' and mode = 'dry_whole'),
  '{"new": [3, 5], "changed": [4], "failing": [2]}'::jsonb,
  'a dry run decided in two passes reports what both found');
select is((select report from outcomes where scenario = 'refused' and mode = 'dry_whole'),
  '[[3, null, "duplicate_in_file: an earlier row of this file matched the same contact"],
    [5, "phone", "identifier_conflict: this phone belongs to another contact"],
    [6, null, "too_many_tags: with this row the contact would have more than 100 tags"]]'::jsonb,
  'a dry run: the refused twin of a written row is a duplicate; a contact whose first row failed is refused at the next');

select * from finish();
rollback;
