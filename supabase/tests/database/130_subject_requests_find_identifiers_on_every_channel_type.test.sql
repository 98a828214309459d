-- A data subject's request reaches every channel type that can hold its identifier
-- (20251020000005): an e-mail address on e-mail, Slack, webchat and other channels; a phone number
-- on phone, SMS, WhatsApp, Telegram and other channels. The export names each such contact, and the
-- erasure takes it; another owner's contact holding the same identifier is left alone.
begin;
select plan(5);

select tests.create_supabase_user('subject_channels_owner');
select tests.create_supabase_user('subject_channels_stranger');
insert into public.contacts (id, user_id, first_name) values
  ('13000000-0000-4000-8000-000000000001', tests.get_supabase_uid('subject_channels_owner'), 'By e-mail'),
  ('13000000-0000-4000-8000-000000000002', tests.get_supabase_uid('subject_channels_owner'), 'By Slack'),
  ('13000000-0000-4000-8000-000000000003', tests.get_supabase_uid('subject_channels_owner'), 'By phone'),
  ('13000000-0000-4000-8000-000000000004', tests.get_supabase_uid('subject_channels_owner'), 'By Telegram'),
  ('13000000-0000-4000-8000-000000000005', tests.get_supabase_uid('subject_channels_owner'), 'By other'),
  ('13000000-0000-4000-8000-000000000006', tests.get_supabase_uid('subject_channels_owner'), 'Namesake'),
  ('13000000-0000-4000-8000-000000000007', tests.get_supabase_uid('subject_channels_stranger'), 'Stranger''s');
insert into public.contact_communication_channels (user_id, contact_id, channel_type, identifier)
select c.user_id, c.id, v.channel_type, v.identifier
from (values
  ('13000000-0000-4000-8000-000000000001'::uuid, 'email', 'Quinn.Ash@example.com'),
  ('13000000-0000-4000-8000-000000000002'::uuid, 'slack', 'quinn.ash@example.com'),
  ('13000000-0000-4000-8000-000000000003'::uuid, 'phone', '+442079460130'),
  ('13000000-0000-4000-8000-000000000004'::uuid, 'telegram', '+442079460130'),
  ('13000000-0000-4000-8000-000000000005'::uuid, 'other', ' QUINN.ASH@example.com '),
  ('13000000-0000-4000-8000-000000000006'::uuid, 'slack', 'quinn.ashford@example.com'),
  ('13000000-0000-4000-8000-000000000007'::uuid, 'slack', 'quinn.ash@example.com')
) as v (contact_id, channel_type, identifier)
join public.contacts c on c.id = v.contact_id;

select tests.authenticate_as('subject_channels_owner');
select is((public.export_subject_data(identifier => 'quinn.ash@example.com') -> 'contact_ids')::jsonb,
  '["13000000-0000-4000-8000-000000000001", "13000000-0000-4000-8000-000000000002", "13000000-0000-4000-8000-000000000005"]'::jsonb,
  'a request by e-mail address finds the contacts holding it on e-mail, Slack and other channels, and no longer address');
select is((public.export_subject_data(identifier => '+44 20 7946 0130') -> 'contact_ids')::jsonb,
  '["13000000-0000-4000-8000-000000000003", "13000000-0000-4000-8000-000000000004"]'::jsonb,
  'a request by phone number finds the contacts holding it on phone and Telegram channels');
select lives_ok($$ select public.gdpr_delete_subject(identifier => 'quinn.ash@example.com') $$, 'the owner erases the subject by address');
select is((select array_agg(first_name order by first_name collate "C") from public.contacts), '{"By Telegram","By phone",Namesake}'::text[],
  'the erasure took every contact holding the address, whatever the channel type');
reset role;
select is((select count(*) from public.contacts where id = '13000000-0000-4000-8000-000000000007'), 1::bigint,
  'another owner''s contact with the same address is left alone');

select * from finish();
rollback;
