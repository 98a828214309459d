-- Channels: e-mail addresses and phone numbers are normalized for matching and rejected by named
-- check constraints when they are not valid; an owner holds an identifier once per type, and a
-- contact has at most one primary channel per type. All as clients: authenticated owners.
begin;
select plan(40);

-- Fixtures (superuser): two owners, two contacts of the first, one of the second.
do $$
begin
  perform tests.create_supabase_user('channel_owner');
  perform tests.create_supabase_user('channel_rival');
  insert into public.contacts (id, user_id, first_name, last_name) values
    ('30000000-0000-4000-8000-000000000001', tests.get_supabase_uid('channel_owner'), 'Ada', 'Lovelace'),
    ('30000000-0000-4000-8000-000000000002', tests.get_supabase_uid('channel_owner'), 'Grace', 'Hopper'),
    ('30000000-0000-4000-8000-000000000003', tests.get_supabase_uid('channel_rival'), 'Charles', 'Babbage');
end
$$;

-- The validators on their own.
select results_eq($$
  select public.is_valid_email(v.email) from (values
    ('ada@example.com'), ('ada.lovelace+notes@analytical.engine.co.uk'), ('o''brien@example.ie'),
    ('ada@example'), ('ada..x@example.com'), ('ada@-example.com')) as v (email)
$$, $$ values (true), (true), (true), (false), (false), (false) $$,
  'is_valid_email accepts dot-atom addresses with a TLD and rejects missing TLDs, double dots and bad labels');
select results_eq($$
  select public.is_valid_e164_phone(v.phone) from (values
    ('+442079460018'), ('+12025550143'), ('+1234567'), ('+123456789012345'),
    ('+123456'), ('+1234567890123456'), ('442079460018'), ('+44 20 7946 0018')) as v (phone)
$$, $$ values (true), (true), (true), (true), (false), (false), (false), (false) $$,
  'is_valid_e164_phone accepts + and 7 to 15 digits and rejects shorter, longer, plus-less or spaced numbers');

-- ============================================================================================
-- Persona: owner (channel_owner)
-- ============================================================================================
select tests.authenticate_as('channel_owner');

-- Normalization.
select lives_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier, is_primary)
  values ('30000000-0000-4000-8000-000000000001', 'email', ' Ada@Example.COM ', true)
$$, 'an owner can add a padded, mixed-case e-mail address to their contact');
select results_eq($$
  select identifier, normalized_identifier from public.contact_communication_channels
  where contact_id = '30000000-0000-4000-8000-000000000001' and channel_type = 'email'
$$, $$ values (' Ada@Example.COM '::text, 'ada@example.com'::text) $$,
  'the e-mail is kept as typed and matched as ada@example.com (trimmed, lower-cased)');
select lives_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier, is_primary)
  values ('30000000-0000-4000-8000-000000000001', 'phone', '0044 20 7946 0018', true)
$$, 'an owner can add a phone number written with a 00 prefix and spaces');
select is(
  (select normalized_identifier from public.contact_communication_channels
   where contact_id = '30000000-0000-4000-8000-000000000001' and channel_type = 'phone'),
  '+442079460018',
  'the phone number 0044 20 7946 0018 is matched as +442079460018');
select lives_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values ('30000000-0000-4000-8000-000000000001', 'whatsapp', '+1 (202) 555-0143')
$$, 'an owner can add a WhatsApp number written with brackets and a dash');
select is(
  (select normalized_identifier from public.contact_communication_channels
   where contact_id = '30000000-0000-4000-8000-000000000001' and channel_type = 'whatsapp'),
  '+12025550143',
  'the WhatsApp number +1 (202) 555-0143 is matched as +12025550143');

-- Invalid e-mail addresses, each rejected by the named constraint.
select throws_ok(
  format($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
            values ('30000000-0000-4000-8000-000000000002', 'email', %L) $$, bad.identifier),
  '23514',
  'new row for relation "contact_communication_channels" violates check constraint "contact_communication_channels_email_check"',
  format('an owner cannot save %s as an e-mail address: %s', bad.shown, bad.why))
from (values
  (1, 'ada.example.com', 'ada.example.com', 'no @'),
  (2, 'ada@', 'ada@', 'no domain'),
  (3, '@example.com', '@example.com', 'no local part'),
  (4, 'ada@example', 'ada@example', 'no top-level domain'),
  (5, 'ada@example.c', 'ada@example.c', 'a one-letter top-level domain'),
  (6, 'ada lovelace@example.com', 'ada lovelace@example.com', 'a space in the local part'),
  (7, 'ada..lovelace@example.com', 'ada..lovelace@example.com', 'two dots in a row'),
  (8, '.ada@example.com', '.ada@example.com', 'a leading dot'),
  (9, 'ada@@example.com', 'ada@@example.com', 'two @ signs'),
  (10, 'ada@-example.com', 'ada@-example.com', 'a domain label starting with a hyphen'),
  (11, 'ada@exam_ple.com', 'ada@exam_ple.com', 'an underscore in the domain'),
  (12, repeat('a', 65) || '@example.com', '65 a''s @example.com', 'a local part longer than 64 characters')
) as bad (n, identifier, shown, why)
order by bad.n;

-- Invalid phone numbers, for every phone-like channel type.
select throws_ok(
  format($$ insert into public.contact_communication_channels (contact_id, channel_type, identifier)
            values ('30000000-0000-4000-8000-000000000002', %L, %L) $$, bad.channel_type, bad.identifier),
  '23514',
  'new row for relation "contact_communication_channels" violates check constraint "contact_communication_channels_phone_check"',
  format('an owner cannot save %s on a channel of type %s: %s', bad.identifier, bad.channel_type, bad.why))
from (values
  (1, 'phone', '020 7946 0018', 'national format without a country code is not E.164'),
  (2, 'phone', '+44 20 CALL ADA', 'letters'),
  (3, 'phone', '+123456', 'too short (6 digits)'),
  (4, 'phone', '+1234567890123456', 'too long (16 digits)'),
  (5, 'phone', '+0442079460018', 'a country code cannot start with 0'),
  (6, 'phone', '+44 20 7946 0018 ext 12', 'an extension in letters'),
  (7, 'sms', '442079460018', 'no leading + or 00'),
  (8, 'whatsapp', '++442079460018', 'a doubled +')
) as bad (n, channel_type, identifier, why)
order by bad.n;

select throws_ok($$
  update public.contact_communication_channels set identifier = 'ada-at-example.com'
  where contact_id = '30000000-0000-4000-8000-000000000001' and channel_type = 'email'
$$, '23514',
  'new row for relation "contact_communication_channels" violates check constraint "contact_communication_channels_email_check"',
  'an owner cannot change a valid e-mail address into an invalid one');

-- One primary per contact and type.
select throws_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier, is_primary)
  values ('30000000-0000-4000-8000-000000000001', 'email', 'countess@example.com', true)
$$, '23505', 'duplicate key value violates unique constraint "contact_communication_channels_primary_key"',
  'an owner cannot give a contact a second primary e-mail address');
select lives_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier, is_primary)
  values ('30000000-0000-4000-8000-000000000001', 'email', 'countess@example.com', false)
$$, 'an owner can give a contact a second, non-primary e-mail address');
select lives_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier, is_primary)
  values ('30000000-0000-4000-8000-000000000002', 'email', 'grace@example.com', true)
$$, 'another contact of the same owner can have its own primary e-mail address');
select throws_ok($$
  update public.contact_communication_channels set is_primary = true where normalized_identifier = 'countess@example.com'
$$, '23505', 'duplicate key value violates unique constraint "contact_communication_channels_primary_key"',
  'an owner cannot promote a second e-mail to primary while the first still is');

-- One identifier per owner and type, compared in normalized form.
select throws_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values ('30000000-0000-4000-8000-000000000002', 'email', 'ada@example.com')
$$, '23505', 'duplicate key value violates unique constraint "contact_communication_channels_identifier_key"',
  'an owner cannot give a second contact an e-mail address they already hold');
select throws_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values ('30000000-0000-4000-8000-000000000002', 'email', '  ADA@example.com')
$$, '23505', 'duplicate key value violates unique constraint "contact_communication_channels_identifier_key"',
  'an owner cannot slip a duplicate e-mail past the check by changing its case or padding');
select throws_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values ('30000000-0000-4000-8000-000000000002', 'phone', '+44 (20) 7946-0018')
$$, '23505', 'duplicate key value violates unique constraint "contact_communication_channels_identifier_key"',
  'an owner cannot hold the same phone number twice, whatever its formatting');
select lives_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values ('30000000-0000-4000-8000-000000000002', 'sms', '+44 20 7946 0018')
$$, 'the same number may be held once per channel type (phone and sms)');

-- Another owner's contact.
select throws_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier)
  values ('30000000-0000-4000-8000-000000000003', 'email', 'charles@example.com')
$$, '23503',
  'insert or update on table "contact_communication_channels" violates foreign key constraint "contact_communication_channels_contact_fkey"',
  'an owner cannot add a channel to another owner''s contact');

-- ============================================================================================
-- Persona: other owner (channel_rival)
-- ============================================================================================
select tests.authenticate_as('channel_rival');

select lives_ok($$
  insert into public.contact_communication_channels (contact_id, channel_type, identifier, is_primary)
  values ('30000000-0000-4000-8000-000000000003', 'email', 'Ada@Example.com', true)
$$, 'another owner can hold an e-mail address the first owner already holds');
select is(
  (select count(*)::integer from public.contact_communication_channels where normalized_identifier = 'ada@example.com'),
  1,
  'the other owner sees only their own copy of that e-mail address');

select * from finish();
rollback;
