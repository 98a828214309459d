-- The receipt of an erasure or anonymization counts the subject's consent events (20251019000001):
-- they reference a channel, not the contact, and leave with the channels by cascade, so the catalog
-- walk that counts the other tables never saw them. Another contact's events stay and are not counted.
begin;
select plan(5);

select tests.create_supabase_user('consent_eraser');
insert into public.contacts (id, user_id, first_name) values
  ('12000000-0000-4000-8000-000000000001', tests.get_supabase_uid('consent_eraser'), 'Erased'),
  ('12000000-0000-4000-8000-000000000002', tests.get_supabase_uid('consent_eraser'), 'Anonymized'),
  ('12000000-0000-4000-8000-000000000003', tests.get_supabase_uid('consent_eraser'), 'Bystander');
insert into public.contact_communication_channels (id, user_id, contact_id, channel_type, identifier)
select ('12000000-0000-4000-8000-00000000001' || n)::uuid, tests.get_supabase_uid('consent_eraser'),
  ('12000000-0000-4000-8000-00000000000' || n)::uuid, 'email', 'consent' || n || '@example.com'
from generate_series(1, 3) as n;
-- Two events on the first contact's channel, one on each of the others.
insert into public.contact_consent_events (user_id, contact_id, channel_id, channel_type, status, source)
select tests.get_supabase_uid('consent_eraser'), ('12000000-0000-4000-8000-00000000000' || n)::uuid,
  ('12000000-0000-4000-8000-00000000001' || n)::uuid, 'email', s, 'manual'
from (values (1, 'granted'), (1, 'withdrawn'), (2, 'granted'), (3, 'granted')) as x (n, s);

create temporary table receipts (mode text, receipt jsonb);
grant all on receipts to authenticated;
select tests.authenticate_as('consent_eraser');
insert into receipts select 'erase', public.gdpr_delete_subject(contact_id => '12000000-0000-4000-8000-000000000001');
insert into receipts select 'anonymize', public.gdpr_delete_subject(contact_id => '12000000-0000-4000-8000-000000000002', mode => 'anonymize');
reset role;

select is((select (receipt -> 'counts' ->> 'contact_consent_events')::int from receipts where mode = 'erase'), 2,
  'the erasure receipt counts the subject''s two consent events');
select is((select (receipt -> 'counts' ->> 'contact_consent_events')::int from receipts where mode = 'anonymize'), 1,
  'the anonymization receipt counts the subject''s consent event');
select is_empty($$ select 1 from public.contact_consent_events where contact_id in
    ('12000000-0000-4000-8000-000000000001', '12000000-0000-4000-8000-000000000002') $$,
  'the counted events are gone, as the receipts say');
select is((select count(*)::int from public.contact_consent_events where contact_id = '12000000-0000-4000-8000-000000000003'), 1,
  'another contact''s event stays');
select ok((select r.counts ? 'contact_consent_events' from public.contact_subject_requests r
           where r.user_id = tests.get_supabase_uid('consent_eraser') and r.request_type = 'erase'),
  'the stored receipt carries the count too');

select * from finish();
rollback;
