-- A withdrawn Telegram username stays withdrawn in its other spelling (20251020000075): "tghandle"
-- and "@tghandle" are one account, so a channel deleted while withdrawn is remembered under both,
-- and the other spelling added again (by the owner, or by an import's opt-in) starts withdrawn,
-- with one event saying why; so does one remembered before under its single key. A later grant
-- forgets both spellings, and an erasure leaves neither. Slack handles and another owner are
-- untouched.
begin;
select plan(14);

-- ============================================================================================
-- Setup (superuser)
--   c...01 telegram @tgat withdrawn 2025-03-01     c...02 telegram tgplain withdrawn 2025-03-02
--   c...03 slack @slackx withdrawn                 c...04 telegram @tgimp withdrawn (import: tgimp)
--   c...05 telegram tgimp2 withdrawn (import: @tgimp2)
--   c...10 the contact the spellings are added back to
--   @tgold: remembered before 20251020000075, under its single key only
-- ============================================================================================
select tests.create_supabase_user('tg_owner');
select tests.create_supabase_user('tg_other_owner');

insert into public.contacts (id, user_id, display_name) values
  ('19100000-0000-4000-8000-000000000001', tests.get_supabase_uid('tg_owner'), 'At'),
  ('19100000-0000-4000-8000-000000000002', tests.get_supabase_uid('tg_owner'), 'Plain'),
  ('19100000-0000-4000-8000-000000000003', tests.get_supabase_uid('tg_owner'), 'Slacker'),
  ('19100000-0000-4000-8000-000000000004', tests.get_supabase_uid('tg_owner'), 'Imported at'),
  ('19100000-0000-4000-8000-000000000005', tests.get_supabase_uid('tg_owner'), 'Imported plain'),
  ('19100000-0000-4000-8000-000000000010', tests.get_supabase_uid('tg_owner'), 'Back again'),
  ('19100000-0000-4000-8000-000000000099', tests.get_supabase_uid('tg_other_owner'), 'Elsewhere');
insert into public.contact_communication_channels
  (user_id, contact_id, channel_type, identifier, consent_status, consent_source, consent_updated_at) values
  (tests.get_supabase_uid('tg_owner'), '19100000-0000-4000-8000-000000000001', 'telegram', '@tgat', 'withdrawn', 'manual STOP', '2025-03-01 10:00:00+00'),
  (tests.get_supabase_uid('tg_owner'), '19100000-0000-4000-8000-000000000002', 'telegram', 'tgplain', 'withdrawn', 'manual STOP', '2025-03-02 10:00:00+00'),
  (tests.get_supabase_uid('tg_owner'), '19100000-0000-4000-8000-000000000003', 'slack', '@slackx', 'withdrawn', 'manual STOP', '2025-03-03 10:00:00+00'),
  (tests.get_supabase_uid('tg_owner'), '19100000-0000-4000-8000-000000000004', 'telegram', '@tgimp', 'withdrawn', 'manual STOP', '2025-03-04 10:00:00+00'),
  (tests.get_supabase_uid('tg_owner'), '19100000-0000-4000-8000-000000000005', 'telegram', 'tgimp2', 'withdrawn', 'manual STOP', '2025-03-05 10:00:00+00');
insert into private.owner_keys (user_id) values (tests.get_supabase_uid('tg_owner')) on conflict (user_id) do nothing;
insert into private.withdrawn_addresses (user_id, channel_type, identifier_hmac, withdrawn_at)
select k.user_id, 'telegram', encode(extensions.hmac(convert_to('telegram:@tgold', 'UTF8'), k.hmac_key, 'sha256'), 'hex'), '2025-02-01 10:00:00+00'
from private.owner_keys k where k.user_id = tests.get_supabase_uid('tg_owner');

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role;
insert into job_ids values ('skip', tests.create_import_job('tg_owner', 'tg-skip'));
update public.contact_import_jobs set total_rows = 10 where id in (select id from job_ids);

-- The owner's remembered keys, as the superuser sees them.
create function pg_temp.remembered(handles text[])
returns setof text language sql as $$
  select h.key
  from unnest(remembered.handles) as h (key)
  join private.owner_keys k on k.user_id = tests.get_supabase_uid('tg_owner')
  join private.withdrawn_addresses w on w.user_id = k.user_id
    and w.identifier_hmac = encode(extensions.hmac(convert_to(h.key, 'UTF8'), k.hmac_key, 'sha256'), 'hex')
  order by 1
$$;

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('tg_owner');

delete from public.contact_communication_channels
where contact_id in ('19100000-0000-4000-8000-000000000001', '19100000-0000-4000-8000-000000000002',
  '19100000-0000-4000-8000-000000000003', '19100000-0000-4000-8000-000000000004', '19100000-0000-4000-8000-000000000005');

insert into public.contact_communication_channels (contact_id, channel_type, identifier) values
  ('19100000-0000-4000-8000-000000000010', 'telegram', 'tgat'),
  ('19100000-0000-4000-8000-000000000010', 'telegram', '@TGPlain'),
  ('19100000-0000-4000-8000-000000000010', 'slack', 'slackx'),
  ('19100000-0000-4000-8000-000000000010', 'telegram', 'tgold');

select results_eq(
  $$ select ch.consent_status, e.status, e.source, e.source_ref, e.occurred_at
     from public.contact_communication_channels ch
     join public.contact_consent_events e on e.channel_id = ch.id
     where ch.normalized_identifier = 'tgat' $$,
  $$ values ('withdrawn', 'withdrawn', 'manual', 'withdrawn earlier on a deleted channel', '2025-03-01 10:00:00+00'::timestamptz) $$,
  'The owner re-adding a deleted withdrawn @tgat as tgat gets it withdrawn, with one event dated at the withdrawal.');
select is(
  (select consent_status from public.contact_communication_channels where normalized_identifier = '@tgplain'), 'withdrawn',
  'The owner re-adding a deleted withdrawn tgplain as @TGPlain gets it withdrawn.');
select is(
  (select consent_status from public.contact_communication_channels where normalized_identifier = 'tgold'), 'withdrawn',
  'A withdrawal remembered before this migration under @tgold alone is met by tgold.');
select is(
  (select consent_status from public.contact_communication_channels where channel_type = 'slack'), 'unknown',
  'A Slack handle is remembered as spelt, as before: slackx is not the deleted @slackx.');

-- ============================================================================================
-- Service (an import of an old list that opts its rows in, under on_duplicate skip)
-- ============================================================================================
select tests.authenticate_as_service_role();

select private.import_contacts_batch((select id from job_ids where name = 'skip'),
  '[{"n": 2, "k": null, "first_name": "Imp",
     "channels": [{"t": "telegram", "v": "tgimp", "nv": "tgimp", "p": true, "c": "granted", "col": "telegram"}]},
    {"n": 3, "k": null, "first_name": "Imp2",
     "channels": [{"t": "telegram", "v": "@tgimp2", "nv": "@tgimp2", "p": true, "c": "granted", "col": "telegram"}]},
    {"n": 4, "k": null, "first_name": "New",
     "channels": [{"t": "telegram", "v": "@tgnew", "nv": "@tgnew", "p": true, "c": "granted", "col": "telegram"}]}]'::json,
  '[]'::json, 100, 2);

select results_eq(
  $$ select ch.normalized_identifier, ch.consent_status, ch.consent_source from public.contact_communication_channels ch
     where ch.user_id = tests.get_supabase_uid('tg_owner') and ch.normalized_identifier in ('tgimp', '@tgimp2', '@tgnew') order by 1 $$,
  $$ values ('@tgimp2', 'withdrawn', 'manual withdrawn earlier on a deleted channel'),
            ('@tgnew', 'granted', (select 'import ' || id from job_ids where name = 'skip')),
            ('tgimp', 'withdrawn', 'manual withdrawn earlier on a deleted channel') $$,
  'An import''s opt-in for either spelling of a remembered username is held behind the withdrawal; a new username is granted.');

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('tg_other_owner');

insert into public.contact_communication_channels (contact_id, channel_type, identifier) values
  ('19100000-0000-4000-8000-000000000099', 'telegram', 'tgat');
select is(
  (select consent_status from public.contact_communication_channels where normalized_identifier = 'tgat'), 'unknown',
  'Another owner''s tgat is not affected by this owner''s memory.');

-- ============================================================================================
-- Superuser: what the memory holds
-- ============================================================================================
select tests.clear_authentication();
reset role;

select results_eq(
  $$ select * from pg_temp.remembered(array['telegram:@tgat', 'telegram:tgat', 'telegram:@tgplain', 'telegram:tgplain',
       'slack:@slackx', 'slack:slackx']) $$,
  $$ values ('slack:@slackx'), ('telegram:@tgat'), ('telegram:@tgplain'), ('telegram:tgat'), ('telegram:tgplain') $$,
  'A deleted withdrawn username is remembered under both spellings, a Slack handle under its own only.');

-- ============================================================================================
-- Owner: the holder grants again, then the channel goes; an erasure
-- ============================================================================================
select tests.authenticate_as('tg_owner');

insert into public.contact_consent_events (channel_id, status, source, source_ref, occurred_at)
select id, 'granted', 'form', 'signed up again', '2025-06-01 10:00:00+00'
from public.contact_communication_channels where normalized_identifier in ('tgat', 'tgold');
select is(
  (select count(*)::int from public.contact_communication_channels where normalized_identifier in ('tgat', 'tgold') and consent_status = 'granted'), 2,
  'The owner records that the holders of tgat and tgold granted consent again.');
delete from public.contact_communication_channels where normalized_identifier in ('tgat', 'tgold');
insert into public.contact_communication_channels (contact_id, channel_type, identifier) values
  ('19100000-0000-4000-8000-000000000010', 'telegram', '@tgat'),
  ('19100000-0000-4000-8000-000000000010', 'telegram', '@tgold');
select results_eq(
  $$ select normalized_identifier, consent_status from public.contact_communication_channels
     where normalized_identifier in ('@tgat', '@tgold') order by 1 $$,
  $$ values ('@tgat', 'unknown'), ('@tgold', 'unknown') $$,
  'A later grant deleted with tgat forgets @tgat too, and tgold''s forgets the single key remembered before.');

select lives_ok($$ select public.gdpr_delete_contact('19100000-0000-4000-8000-000000000010') $$,
  'The owner erases the contact holding @tgplain.');

-- ============================================================================================
-- Superuser: what the memory holds now
-- ============================================================================================
reset role;

select results_eq(
  $$ select * from pg_temp.remembered(array['telegram:@tgat', 'telegram:tgat', 'telegram:@tgold', 'telegram:tgold',
       'telegram:@tgplain', 'telegram:tgplain']) $$,
  $$ select null::text where false $$,
  'Neither spelling stays remembered after a later grant or an erasure.');
select is(private.channel_address_keys('telegram', '@tghandle'), array['telegram:@tghandle', 'telegram:tghandle'],
  'A Telegram username is remembered under both spellings.');
select is(private.channel_address_keys('telegram', '+1 415 555 0102'), array['telegram:+14155550102'],
  'A number on Telegram is remembered as before, under its E.164 form alone.');
select is(private.channel_address_keys('slack', '@slackx'), array['slack:@slackx'],
  'A Slack handle is remembered as spelt, as before.');

select * from finish();
rollback;
