-- A withdrawn address stays withdrawn when added again (20251020000044): deleting a channel whose
-- consent is withdrawn, or its contact, does not reopen the address to agents. The same address
-- added again (by the owner in another spelling, by an agent with a write grant, by an import,
-- or as another channel's new address) starts withdrawn, with an event saying why; an address
-- granted again before its deletion starts unknown; another owner's is untouched; an erasure
-- leaves no remembered hash; the memory holds no address in clear.
begin;
select plan(22);

-- ============================================================================================
-- Setup (superuser)
--   c...01 Ada   e-mail ada@example.com withdrawn on 2025-03-01 (d...01)
--   c...02 Bea   e-mail bea@example.com withdrawn, then granted again (d...02)
--   c...03 Cal   WhatsApp +14155550101 withdrawn (d...03): the contact is deleted
--   c...04 Dee   Telegram "+1 415 555 0102" withdrawn (d...04); e-mail typo@exmaple.com unknown (d...05)
--   c...05 Eve   e-mail eve@, fay@, ivy@example.com withdrawn: the contact is deleted; eve and ivy imported again
--   c...06 Gus   e-mail gus@example.com withdrawn (d...08): erased by contact id
--   c...98       another owner's ada@example.com withdrawn: that owner's account is deleted
-- Agents: a...01 write grant, a...02 message grant.
-- ============================================================================================
select tests.create_supabase_user('recall_owner');
select tests.create_supabase_user('recall_other_owner');
select tests.create_supabase_user('recall_leaving_owner');

insert into public.contacts (id, user_id, display_name) values
  ('16600000-0000-4000-8000-000000000001', tests.get_supabase_uid('recall_owner'), 'Ada'),
  ('16600000-0000-4000-8000-000000000002', tests.get_supabase_uid('recall_owner'), 'Bea'),
  ('16600000-0000-4000-8000-000000000003', tests.get_supabase_uid('recall_owner'), 'Cal'),
  ('16600000-0000-4000-8000-000000000004', tests.get_supabase_uid('recall_owner'), 'Dee'),
  ('16600000-0000-4000-8000-000000000005', tests.get_supabase_uid('recall_owner'), 'Eve'),
  ('16600000-0000-4000-8000-000000000006', tests.get_supabase_uid('recall_owner'), 'Gus'),
  ('16600000-0000-4000-8000-000000000099', tests.get_supabase_uid('recall_other_owner'), 'Ada elsewhere'),
  ('16600000-0000-4000-8000-000000000098', tests.get_supabase_uid('recall_leaving_owner'), 'Ada, once');
insert into public.contact_communication_channels
  (id, user_id, contact_id, channel_type, identifier, consent_status, consent_source, consent_updated_at) values
  ('16600000-0000-4000-8000-0000000000d1', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000001',
   'email', 'ada@example.com', 'withdrawn', 'form unsubscribe', '2025-03-01 10:00:00+00'),
  ('16600000-0000-4000-8000-0000000000d2', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000002',
   'email', 'bea@example.com', 'withdrawn', 'form unsubscribe', '2025-03-01 10:00:00+00'),
  ('16600000-0000-4000-8000-0000000000d3', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000003',
   'whatsapp', '+14155550101', 'withdrawn', 'manual STOP', '2025-03-02 10:00:00+00'),
  ('16600000-0000-4000-8000-0000000000d4', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000004',
   'telegram', '+1 415 555 0102', 'withdrawn', 'manual STOP', '2025-03-03 10:00:00+00'),
  ('16600000-0000-4000-8000-0000000000d5', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000004',
   'email', 'typo@exmaple.com', 'unknown', null, null),
  ('16600000-0000-4000-8000-0000000000d6', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000005',
   'email', 'eve@example.com', 'withdrawn', 'manual', '2025-03-04 10:00:00+00'),
  ('16600000-0000-4000-8000-0000000000d7', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000005',
   'email', 'fay@example.com', 'withdrawn', 'manual', '2025-03-04 10:00:00+00'),
  ('16600000-0000-4000-8000-0000000000d9', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000005',
   'email', 'ivy@example.com', 'withdrawn', 'manual', '2025-03-04 10:00:00+00'),
  ('16600000-0000-4000-8000-0000000000d8', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000006',
   'email', 'gus@example.com', 'withdrawn', 'manual', '2025-03-05 10:00:00+00'),
  ('16600000-0000-4000-8000-0000000000c8', tests.get_supabase_uid('recall_leaving_owner'), '16600000-0000-4000-8000-000000000098',
   'email', 'ada@example.com', 'withdrawn', 'manual', '2025-03-05 10:00:00+00');
insert into public.contact_consent_events (user_id, channel_id, status, source, source_ref, occurred_at) values
  (tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-0000000000d2', 'granted', 'form', 'signed up again', '2025-04-01 10:00:00+00');
insert into public.agents (id, user_id, name) values
  ('16600000-0000-4000-8000-0000000000a1', tests.get_supabase_uid('recall_owner'), 'Editor'),
  ('16600000-0000-4000-8000-0000000000a2', tests.get_supabase_uid('recall_owner'), 'Messenger');
insert into public.agent_contact_permissions (user_id, agent_id, permission_type, permission_level) values
  (tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-0000000000a1', 'all_contacts', 'write'),
  (tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-0000000000a2', 'all_contacts', 'message');

create temporary table job_ids (name text primary key, id uuid) on commit drop;
grant all on job_ids to service_role;
insert into job_ids values
  ('skip', tests.create_import_job('recall_owner', 'recall-skip')),
  ('update', tests.create_import_job('recall_owner', 'recall-update'));
update public.contact_import_jobs set options = '{"on_duplicate": "update"}' where id = (select id from job_ids where name = 'update');
update public.contact_import_jobs set total_rows = 10 where id in (select id from job_ids);

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('recall_owner');

delete from public.contact_communication_channels where id in ('16600000-0000-4000-8000-0000000000d1', '16600000-0000-4000-8000-0000000000d2');
delete from public.contacts where id in ('16600000-0000-4000-8000-000000000003', '16600000-0000-4000-8000-000000000005');
delete from public.contact_communication_channels where id = '16600000-0000-4000-8000-0000000000d4';

insert into public.contact_communication_channels (contact_id, channel_type, identifier) values
  ('16600000-0000-4000-8000-000000000001', 'email', 'Ada@Example.COM'),
  ('16600000-0000-4000-8000-000000000002', 'email', 'bea@example.com'),
  ('16600000-0000-4000-8000-000000000004', 'telegram', '+14155550102');

select results_eq(
  $$ select ch.consent_status, ch.consent_updated_at, e.status, e.source, e.source_ref
     from public.contact_communication_channels ch
     join public.contact_consent_events e on e.channel_id = ch.id
     where ch.normalized_identifier = 'ada@example.com' $$,
  $$ values ('withdrawn', '2025-03-01 10:00:00+00'::timestamptz, 'withdrawn', 'manual', 'withdrawn earlier on a deleted channel') $$,
  'The owner re-adding a deleted withdrawn address in another case gets it withdrawn, dated at the withdrawal, with an event saying why.');
select is(
  (select consent_status from public.contact_communication_channels where channel_type = 'telegram' and normalized_identifier = '+14155550102'), 'withdrawn',
  'A number withdrawn on Telegram in one spelling is withdrawn when re-added in another.');
select is(
  (select consent_status from public.contact_communication_channels where normalized_identifier = 'bea@example.com'), 'unknown',
  'An address granted again before its channel was deleted is not remembered as withdrawn.');

update public.contact_communication_channels set identifier = 'fay@example.com' where id = '16600000-0000-4000-8000-0000000000d5';
select is(
  (select consent_status from public.contact_communication_channels where id = '16600000-0000-4000-8000-0000000000d5'), 'withdrawn',
  'A channel without a decision given a remembered withdrawn address becomes withdrawn.');

-- ============================================================================================
-- Agent tokens
-- ============================================================================================
select tests.authenticate_as_agent('recall_owner', '16600000-0000-4000-8000-0000000000a1');

insert into public.contact_communication_channels (contact_id, channel_type, identifier) values
  ('16600000-0000-4000-8000-000000000002', 'whatsapp', '+1 (415) 555-0101');
insert into public.contact_communication_channels (contact_id, channel_type, identifier) values
  ('16600000-0000-4000-8000-000000000002', 'sms', '+14155550101');

select is(
  (select consent_status from public.contact_communication_channels where channel_type = 'whatsapp' and normalized_identifier = '+14155550101'), 'withdrawn',
  'An agent with a write grant adding back the WhatsApp number of a deleted contact gets it withdrawn.');
select is(
  (select consent_status from public.contact_communication_channels where channel_type = 'sms' and normalized_identifier = '+14155550101'), 'unknown',
  'A withdrawal on WhatsApp does not close the same number on SMS: consent is per channel.');

select tests.authenticate_as_agent('recall_owner', '16600000-0000-4000-8000-0000000000a2');

select throws_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('16600000-0000-4000-8000-000000000001', '16600000-0000-4000-8000-0000000000a2',
             (select id from public.contact_communication_channels where normalized_identifier = 'ada@example.com'),
             'email', 'outbound', 'We miss you') $$,
  '42501', 'new row violates row-level security policy for table "contact_interactions"',
  'An agent with a message grant cannot write to a re-added address that had opted out.');
select throws_ok(
  $$ insert into public.contact_interactions (contact_id, agent_id, channel_id, channel_type, direction, content)
     values ('16600000-0000-4000-8000-000000000002', '16600000-0000-4000-8000-0000000000a2',
             (select id from public.contact_communication_channels where channel_type = 'whatsapp' and normalized_identifier = '+14155550101'),
             'whatsapp', 'outbound', 'Hello again') $$,
  '42501', 'new row violates row-level security policy for table "contact_interactions"',
  'Nor to the WhatsApp number of a deleted contact that had opted out.');

-- ============================================================================================
-- Service (an import of an old list)
-- ============================================================================================
select tests.authenticate_as_service_role();

select private.import_contacts_batch((select id from job_ids where name = 'skip'),
  '[{"n": 2, "k": "eve@example.com", "first_name": "Eve",
     "channels": [{"t": "email", "v": "EVE@example.com", "nv": "eve@example.com", "p": true, "c": "granted", "col": "email"}]},
    {"n": 3, "k": "ivy@example.com", "first_name": "Ivy",
     "channels": [{"t": "email", "v": "ivy@example.com", "nv": "ivy@example.com", "p": true, "col": "email"}]},
    {"n": 4, "k": "hal@example.com", "first_name": "Hal",
     "channels": [{"t": "email", "v": "hal@example.com", "nv": "hal@example.com", "p": true, "col": "email"}]}]'::json,
  '[]'::json, 100, 2);

select results_eq(
  $$ select ch.normalized_identifier, ch.consent_status, ch.consent_source from public.contact_communication_channels ch
     where ch.user_id = tests.get_supabase_uid('recall_owner')
       and ch.normalized_identifier in ('eve@example.com', 'ivy@example.com', 'hal@example.com') order by 1 $$,
  $$ values ('eve@example.com', 'withdrawn', 'manual withdrawn earlier on a deleted channel'),
            ('hal@example.com', 'unknown', null),
            ('ivy@example.com', 'withdrawn', 'manual withdrawn earlier on a deleted channel') $$,
  'An import of an old list brings remembered addresses back withdrawn, its opt-in included (a withdrawal is known consent), and others unknown.');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('recall_owner');

delete from public.contact_communication_channels where normalized_identifier = 'ada@example.com';

-- ============================================================================================
-- Service (an import that grants over withdrawals)
-- ============================================================================================
select tests.authenticate_as_service_role();

select private.import_contacts_batch((select id from job_ids where name = 'update'),
  '[{"n": 4, "k": "ada@example.com", "first_name": "Ada",
     "channels": [{"t": "email", "v": "ada@example.com", "nv": "ada@example.com", "p": true, "c": "granted", "col": "email"}]}]'::json,
  '[]'::json, 300, 4);
select is(
  (select consent_status from public.contact_communication_channels where user_id = tests.get_supabase_uid('recall_owner')
     and normalized_identifier = 'ada@example.com'), 'granted',
  'An import under on_duplicate update grants over a remembered withdrawal, as it does over an existing channel''s.');

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('recall_other_owner');

insert into public.contact_communication_channels (contact_id, channel_type, identifier) values
  ('16600000-0000-4000-8000-000000000099', 'email', 'ada@example.com');
select is(
  (select consent_status from public.contact_communication_channels where normalized_identifier = 'ada@example.com'), 'unknown',
  'Another owner''s channel of the same address is not affected by this owner''s memory.');

-- ============================================================================================
-- Owner: erasure
-- ============================================================================================
select tests.authenticate_as('recall_owner');

select lives_ok($$ select public.gdpr_delete_subject(identifier => 'eve@example.com') $$,
  'The owner erases the subject of a re-added withdrawn address.');
select lives_ok($$ select public.gdpr_delete_subject(contact_id => '16600000-0000-4000-8000-000000000006') $$,
  'The owner erases a contact holding a withdrawn channel.');

-- ============================================================================================
-- Superuser: what the memory holds
-- ============================================================================================
select tests.clear_authentication();
reset role;

create temporary table remembered on commit drop as
select w.channel_type, k.value as address_key
from private.withdrawn_addresses w
join private.owner_keys o on o.user_id = w.user_id
cross join unnest(array['email:ada@example.com', 'email:bea@example.com', 'email:eve@example.com', 'email:fay@example.com',
  'email:gus@example.com', 'email:ivy@example.com', 'phone:+14155550101', 'telegram:+14155550102']) as k (value)
where w.user_id = tests.get_supabase_uid('recall_owner')
  and w.identifier_hmac = encode(extensions.hmac(convert_to(k.value, 'UTF8'), o.hmac_key, 'sha256'), 'hex');

select results_eq(
  $$ select channel_type, address_key from remembered order by 2 $$,
  $$ values ('email', 'email:ada@example.com'), ('email', 'email:fay@example.com'), ('email', 'email:ivy@example.com'),
            ('whatsapp', 'phone:+14155550101'), ('telegram', 'telegram:+14155550102') $$,
  'The owner''s memory holds the withdrawn addresses of deleted channels, none granted again (bea), none erased (eve, gus).');
select is_empty(
  $$ select 1 from private.withdrawn_addresses w where w::text ~* '(example\.com|4155550)' $$,
  'The memory holds no address in clear.');
select is_empty(
  $$ select 1 from private.withdrawn_addresses w where w.user_id = tests.get_supabase_uid('recall_other_owner') $$,
  'Another owner remembers nothing.');
select lives_ok(
  $$ delete from auth.users where id = tests.get_supabase_uid('recall_leaving_owner') $$,
  'An owner holding withdrawn channels can still be deleted: their channels go, and nothing is remembered for them.');

-- ============================================================================================
-- Owner
-- ============================================================================================
select tests.authenticate_as('recall_owner');

select throws_ok(
  $$ select 1 from private.withdrawn_addresses $$,
  '42501', 'permission denied for table withdrawn_addresses',
  'The owner cannot read the memory: it is kept for the database''s own checks.');

-- ============================================================================================
-- Superuser: a grant that says nothing of a later withdrawal does not forget it.
--   Hux: hux@ withdrawn, deleted; added again (withdrawn), then opted in by an import, whose undo
--   deletes the contact: the withdrawal is still remembered.
--   Kim: Telegram +1 415 555 0199 withdrawn in 2025, deleted; Lou holds the number spelt
--   0014155550199, granted in 2023, and is deleted: the 2025 withdrawal is still remembered.
-- ============================================================================================
reset role;
insert into public.contacts (id, user_id, display_name) values
  ('16600000-0000-4000-8000-000000000011', tests.get_supabase_uid('recall_owner'), 'Hux'),
  ('16600000-0000-4000-8000-000000000013', tests.get_supabase_uid('recall_owner'), 'Kim');
insert into public.contact_communication_channels
  (user_id, contact_id, channel_type, identifier, consent_status, consent_source, consent_updated_at) values
  (tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000011', 'email', 'hux@example.com', 'withdrawn', 'manual', '2025-03-01 10:00:00+00'),
  (tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000013', 'telegram', '+1 415 555 0199', 'withdrawn', 'manual', '2025-03-13 10:00:00+00');
delete from public.contacts where id in ('16600000-0000-4000-8000-000000000011', '16600000-0000-4000-8000-000000000013');
insert into public.contacts (id, user_id, display_name) values
  ('16600000-0000-4000-8000-000000000012', tests.get_supabase_uid('recall_owner'), 'Hux, imported'),
  ('16600000-0000-4000-8000-000000000014', tests.get_supabase_uid('recall_owner'), 'Lou');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('16600000-0000-4000-8000-0000000000e1', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000012', 'email', 'hux@example.com');
insert into public.contact_consent_events (user_id, channel_id, status, source, source_ref) values
  (tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-0000000000e1', 'granted', 'import', gen_random_uuid()::text);
select is((select consent_status from public.contact_communication_channels where id = '16600000-0000-4000-8000-0000000000e1'), 'granted',
  'an import may opt a remembered address in (under on_duplicate update)');
delete from public.contacts where id = '16600000-0000-4000-8000-000000000012';
insert into public.contact_communication_channels
  (user_id, contact_id, channel_type, identifier, consent_status, consent_source, consent_updated_at) values
  (tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000014', 'telegram', '0014155550199', 'granted', 'form 2023 signup', '2023-01-01 10:00:00+00');
delete from public.contacts where id = '16600000-0000-4000-8000-000000000014';
insert into public.contacts (id, user_id, display_name) values
  ('16600000-0000-4000-8000-000000000015', tests.get_supabase_uid('recall_owner'), 'Hux and Kim, once more');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier) values
  ('16600000-0000-4000-8000-0000000000e2', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000015', 'email', 'hux@example.com'),
  ('16600000-0000-4000-8000-0000000000e3', tests.get_supabase_uid('recall_owner'), '16600000-0000-4000-8000-000000000015', 'telegram', '+14155550199');
select is((select consent_status from public.contact_communication_channels where id = '16600000-0000-4000-8000-0000000000e2'), 'withdrawn',
  'the import''s opt-in, gone with its contact (as an undo deletes it), does not forget the withdrawal');
select is((select consent_status from public.contact_communication_channels where id = '16600000-0000-4000-8000-0000000000e3'), 'withdrawn',
  'a grant older than the withdrawal, deleted with another spelling of the number, does not forget it');
select is((select count(*)::int from private.withdrawn_addresses w where w.user_id = tests.get_supabase_uid('recall_owner')
    and w.channel_type = 'telegram' and w.withdrawn_at = '2025-03-13 10:00:00+00'), 1,
  'the telegram withdrawal is remembered at its own date, not the older grant''s');

select * from finish();
rollback;
