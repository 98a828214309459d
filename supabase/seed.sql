-- Demo data for local development. Run by `supabase db reset` (supabase CLI) and by
-- `npm run db:reset` (the docker-free stack) right after the migrations, as `postgres`.
--
-- Two owners, each with their own agents, contacts, groups and grants; nothing is shared:
--
--   owner  id                                    e-mail             password (Supabase Auth only)
--   Ada    00000000-0000-4000-8000-000000000001  ada@demo.local     demo-password
--   Grace  00000000-0000-4000-8000-000000000002  grace@demo.local   demo-password
--
--   agent              id                                    owner
--   Sales assistant    5eed000a-0000-4000-8000-000000000001  Ada
--   Support bot        5eed000a-0000-4000-8000-000000000002  Ada
--   Scheduler          5eed000a-0000-4000-8000-000000000003  Grace
--
-- On the docker-free stack nobody logs in with a password: mint a user JWT with `sub` = the
-- owner's id (and an `agent_id` claim for an agent-scoped token). With the supabase CLI the
-- owners can also sign in with their e-mail and the password above.
--
-- What is here:
--   - 200 contacts (150 Ada's, 50 Grace's) with international names, organizations, titles,
--     tags and custom fields; 40 of Ada's came from the import job; a few carry an external id;
--     3 are archived; one (Ada's contact 42, see the ids below) is under legal hold.
--   - Channels: e-mail, phone (E.164 in many countries), sms, whatsapp, telegram, slack, webchat
--     and other; one primary per contact and type; consent unknown / granted / withdrawn.
--   - Groups: static, smart (criteria), nested ('Customers' > 'Enterprise customers').
--   - Grants of every kind (all contacts, specific contacts, group), every level (read, message,
--     write), channel-restricted, expired, future, bounded and open-ended.
--   - Interactions over the past year in every delivery state, inbound, outbound and internal.
--   - One completed CSV import with its error report, and retention policies.
--
-- Ids are fixed so that links and demos can name them. All but the owners' start with 5eed, a
-- prefix the pgTAP suite does not use: the suite runs on the seeded database and inserts its own
-- fixtures with hand-written ids.
--   agents     5eed000a-0000-4000-8000-00000000000N   (table above)
--   contacts   5eed000c-000<owner>-4000-8000-<n, 12 digits>   n = 1..150 (Ada), 151..200 (Grace)
--              e.g. 5eed000c-0001-4000-8000-000000000042 is Ada's contact under legal hold
--   groups     5eed000b-0000-4000-8000-0000000000NN
--   grants     5eed000d-0000-4000-8000-0000000000NN
--   import     5eed000e-0000-4000-8000-000000000001
--   retention  5eed000f-0000-4000-8000-0000000000NN
--   channels, interactions and specific-contact rows: md5 of what identifies them.
--
-- Deterministic: no random(); every value derives from the row number. Times are relative to the
-- start of the current UTC day, so the data always spans "the past year" and the expired and
-- future grants stay expired and future; resets on the same day give identical rows, except the
-- stamps the triggers take from now() (channels' consent_updated_at, the import job's updated_at).

-- One DO block: the supabase CLI sends a seed file as one batch and prepares every statement of
-- it before it runs the first (supabase/cli#882), so a statement using a helper or table that an
-- earlier statement creates fails there. Inside the block each statement is planned when it runs.
do $seed$
begin

-- The clock of the demo: midnight UTC today, minus a number of days (negative: in the future).
create function pg_temp.days_ago(days numeric)
returns timestamptz
language sql
stable
as $$
  select date_trunc('day', now(), 'UTC') - make_interval(secs => days * 86400)
$$;

-- Lower-case ASCII form of a name for e-mail addresses and handles: accents folded, spaces and
-- apostrophes dropped ("Ó Súilleabháin" -> "osuilleabhain", "D'Angelo" -> "dangelo").
create function pg_temp.ascii_slug(name text)
returns text
language sql
immutable
as $$
  select regexp_replace(
    lower(translate(name,
      'ÁÉÍÓÚÄÖÜŁØÇáàâäãåçéèêëíìîïıłñóòôöõøúùûüýğşễ',
      'AEIOUAOULOCaaaaaaceeeeiiiiilnoooooouuuuygse')),
    '[^a-z0-9-]', '', 'g')
$$;

-- ============================================================================================
-- Owners
-- ============================================================================================
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, is_super_admin, is_anonymous, created_at, updated_at)
select
  '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
  -- bcrypt with a fixed salt, so that the hash is the same on every reset.
  extensions.crypt('demo-password', '$2a$06$DemoSeedSaltForLocalDe'),
  pg_temp.days_ago(u.age_days) + interval '5 minutes',
  '{"provider": "email", "providers": ["email"]}'::jsonb,
  jsonb_build_object('display_name', u.display_name, 'full_name', u.display_name, 'email_verified', true),
  false, false, pg_temp.days_ago(u.age_days), pg_temp.days_ago(u.age_days) + interval '5 minutes'
from (values
  ('00000000-0000-4000-8000-000000000001'::uuid, 'ada@demo.local', 'Ada Lovelace', 700),
  ('00000000-0000-4000-8000-000000000002'::uuid, 'grace@demo.local', 'Grace Hopper', 520)
) as u (id, email, display_name, age_days);

-- On a real Supabase database auth.users has more columns, and GoTrue cannot read a user whose
-- token columns are NULL ("converting NULL to string is unsupported", supabase/auth#1940); a
-- password sign-in also wants an identity row. Neither exists on the docker-free stack, so both
-- steps only run where the columns and the table are there.
declare
  token_column text;
begin
  for token_column in
    select c.column_name from information_schema.columns c
    where c.table_schema = 'auth' and c.table_name = 'users'
      and c.column_name in ('confirmation_token', 'recovery_token', 'email_change_token_new', 'email_change',
        'email_change_token_current', 'phone_change', 'phone_change_token', 'reauthentication_token')
  loop
    execute format(
      'update auth.users set %1$I = '''' where %1$I is null and id in (%2$L, %3$L)',
      token_column, '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002');
  end loop;

  if exists (
    select 1 from information_schema.columns c
    where c.table_schema = 'auth' and c.table_name = 'identities' and c.column_name = 'provider_id'
  ) then
    execute $sql$
      insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
      select md5('identity:' || u.id)::uuid, u.id::text, u.id,
        jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
        'email', u.created_at, u.created_at, u.created_at
      from auth.users u
      where u.id in ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002')
    $sql$;
  end if;
end;

-- ============================================================================================
-- Agents (all active)
-- ============================================================================================
insert into public.agents (id, user_id, name, description, is_active, metadata, created_at, updated_at)
values
  ('5eed000a-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', 'Sales assistant',
   'Follows up on leads and customers by e-mail, phone and WhatsApp; drafts quotes.', true,
   '{"model": "demo-llm-large", "persona": "friendly and concise", "languages": ["en", "de", "fr", "es"]}',
   pg_temp.days_ago(420), pg_temp.days_ago(30)),
  ('5eed000a-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'Support bot',
   'Answers support requests from e-mail, WhatsApp and the website chat; escalates to a human.', true,
   '{"model": "demo-llm-small", "escalation_email": "support@demo.local", "max_replies_per_thread": 5}',
   pg_temp.days_ago(400), pg_temp.days_ago(12)),
  ('5eed000a-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'Scheduler',
   'Books workshop slots and sends reminders by e-mail and SMS.', true,
   '{"model": "demo-llm-small", "calendar": "workshops", "reminder_hours_before": 24}',
   pg_temp.days_ago(380), pg_temp.days_ago(3));

-- ============================================================================================
-- Contacts
-- ============================================================================================
-- The plan of every contact, kept for the channel and group sections below (dropped at the end).
create temporary table demo_contacts as
with
first_names as (
  select f.first_name, f.pos::int as pos
  from unnest(array[
    'Aoife', 'José', 'Zoë', 'Łukasz', 'Ngozi', 'Søren', 'François', 'Mei-Ling', 'Jean-Luc', 'Björn',
    'Chiara', 'Dmitri', 'Anaïs', 'Hiroshi', 'Priya', 'Mateus', 'Fatima', 'Kwame', 'Ingrid', 'Siobhán',
    'Yusuf', 'Camila', 'Olumide', 'Élodie', 'Rahul', 'Astrid', 'Tomás', 'Hana', 'Malik', 'Lucía',
    'Kenji', 'Nadia', 'Oğuz', 'Agnieszka', 'Thandiwe', 'Liam', 'Amélie', 'Ravi', 'Noor', 'D''Arcy'
  ]) with ordinality as f (first_name, pos)
),
last_names (pos, last_name, country) as (
  values
    (1, 'O''Brien', 'IE'), (2, 'Müller', 'DE'), (3, 'García-López', 'ES'), (4, 'Tanaka', 'JP'),
    (5, 'Silva', 'BR'), (6, 'Dubois', 'FR'), (7, 'Smith', 'US'), (8, 'Kowalski', 'PL'),
    (9, 'Nakamura', 'JP'), (10, 'Schäfer', 'DE'), (11, 'Nguyễn', 'VN'), (12, 'Okafor', 'NG'),
    (13, 'Andersson', 'SE'), (14, 'Rossi', 'IT'), (15, 'Fernández', 'ES'), (16, 'MacLeod', 'GB'),
    (17, 'van der Berg', 'NL'), (18, 'D''Angelo', 'IT'), (19, 'Johansen', 'NO'), (20, 'Yılmaz', 'TR'),
    (21, 'Kim', 'KR'), (22, 'Patel', 'IN'), (23, 'Costa', 'PT'), (24, 'Lefèvre', 'FR'),
    (25, 'Novák', 'CZ'), (26, 'Horvat', 'HR'), (27, 'Ó Súilleabháin', 'IE'), (28, 'Schmidt-Weber', 'DE'),
    (29, 'Papadopoulos', 'GR'), (30, 'Cohen', 'IL'), (31, 'Al-Sayed', 'AE'), (32, 'Mensah', 'GH'),
    (33, 'Wójcik', 'PL'), (34, 'Jensen', 'DK'), (35, 'Moreau', 'FR'), (36, 'Ferreira', 'BR'),
    (37, 'Sato', 'JP'), (38, 'Brown', 'US'), (39, 'Williams', 'GB'), (40, 'Tremblay', 'CA'),
    (41, 'Díaz', 'MX'), (42, 'Gruber', 'AT'), (43, 'Meier', 'CH'), (44, 'Haddad', 'LB'),
    (45, 'Lindqvist', 'SE'), (46, 'Morales', 'CL'), (47, 'Tan', 'SG'), (48, 'Wright', 'AU'),
    (49, 'Fitzgerald', 'IE'), (50, 'Santos', 'BR'), (51, 'Ahmed', 'EG'), (52, 'Ben-David', 'IL')
),
-- Phone numbers in national styles ({n} is the contact number, 3 digits); the trigger stores the
-- E.164 form. Where a country reserves numbers for fiction (US 555-01xx, UK 07700 900xxx,
-- Australia 0491 570xxx) the template uses them.
countries (country, phone_template, time_zone, language) as (
  values
    ('IE', '+353 87 555 0{n}', 'Europe/Dublin', 'en'), ('DE', '+49 151 2345 6{n}', 'Europe/Berlin', 'de'),
    ('ES', '+34 612 345 {n}', 'Europe/Madrid', 'es'), ('JP', '+81 90-1234-5{n}', 'Asia/Tokyo', 'ja'),
    ('BR', '+55 11 98765-4{n}', 'America/Sao_Paulo', 'pt'), ('FR', '+33 6 39 98 0{n}', 'Europe/Paris', 'fr'),
    ('US', '+1 (415) 555-0{n}', 'America/Los_Angeles', 'en'), ('PL', '+48 512 345 {n}', 'Europe/Warsaw', 'pl'),
    ('VN', '+84 91 234 5{n}', 'Asia/Ho_Chi_Minh', 'vi'), ('NG', '+234 803 123 4{n}', 'Africa/Lagos', 'en'),
    ('SE', '+46 70 123 4{n}', 'Europe/Stockholm', 'sv'), ('IT', '+39 347 123 4{n}', 'Europe/Rome', 'it'),
    ('GB', '+44 7700 900{n}', 'Europe/London', 'en'), ('NL', '+31 6 1234 5{n}', 'Europe/Amsterdam', 'nl'),
    ('NO', '+47 412 34 {n}', 'Europe/Oslo', 'nb'), ('TR', '+90 532 123 4{n}', 'Europe/Istanbul', 'tr'),
    ('KR', '+82 10-1234-5{n}', 'Asia/Seoul', 'ko'), ('IN', '+91 98765 40{n}', 'Asia/Kolkata', 'en'),
    ('PT', '+351 912 345 {n}', 'Europe/Lisbon', 'pt'), ('CZ', '+420 601 234 {n}', 'Europe/Prague', 'cs'),
    ('HR', '+385 91 234 5{n}', 'Europe/Zagreb', 'hr'), ('GR', '+30 694 123 4{n}', 'Europe/Athens', 'el'),
    ('IL', '+972 52-123-4{n}', 'Asia/Jerusalem', 'he'), ('AE', '+971 50 123 4{n}', 'Asia/Dubai', 'ar'),
    ('GH', '+233 24 123 4{n}', 'Africa/Accra', 'en'), ('DK', '+45 20 12 3{n}', 'Europe/Copenhagen', 'da'),
    ('CA', '+1 604 555 0{n}', 'America/Vancouver', 'en'), ('MX', '+52 55 1234 5{n}', 'America/Mexico_City', 'es'),
    ('AT', '+43 664 123 4{n}', 'Europe/Vienna', 'de'), ('CH', '+41 79 123 4{n}', 'Europe/Zurich', 'de'),
    ('LB', '+961 71 123 {n}', 'Asia/Beirut', 'ar'), ('CL', '+56 9 8765 4{n}', 'America/Santiago', 'es'),
    ('SG', '+65 9123 4{n}', 'Asia/Singapore', 'en'), ('AU', '+61 491 570 {n}', 'Australia/Sydney', 'en'),
    ('EG', '+20 100 123 4{n}', 'Africa/Cairo', 'ar')
),
organizations (pos, organization, domain) as (
  values
    (1, 'Northwind Traders', 'northwind.example'), (2, 'Contoso Pharmaceuticals', 'contoso.example'),
    (3, 'Fabrikam GmbH', 'fabrikam.example'), (4, 'Globex Corporation', 'globex.example'),
    (5, 'Initech', 'initech.example'), (6, 'Lumière & Fils', 'lumiere-fils.example'),
    (7, 'Café Olé Distribución', 'cafe-ole.example'), (8, 'Sakura Precision K.K.', 'sakura-precision.example'),
    (9, 'Banco Ipê Digital', 'banco-ipe.example'), (10, 'Nordlicht Energie AG', 'nordlicht.example'),
    (11, 'Kilkenny Craft Brewers', 'kilkenny-brewers.example'), (12, 'Alpenblick Versicherung', 'alpenblick.example'),
    (13, 'Hinode Games', 'hinode-games.example'), (14, 'Maple Leaf Health', 'mapleleaf-health.example'),
    (15, 'Vltava Software s.r.o.', 'vltava.example'), (16, 'Kraków Analytics', 'krakow-analytics.example'),
    (17, 'Oasis Solar FZ-LLC', 'oasis-solar.example'), (18, 'Tidewater Marine', 'tidewater-marine.example'),
    (19, 'Baobab Ventures', 'baobab.example'), (20, 'Zephyr Airways', 'zephyr-air.example')
),
job_titles as (
  select j.job_title, j.pos::int as pos
  from unnest(array[
    'Chief Executive Officer', 'Head of Procurement', 'Sales Manager', 'Software Engineer', 'Office Manager',
    'Chief Technology Officer', 'Account Executive', 'Product Manager', 'Data Protection Officer', 'Operations Lead',
    'Customer Success Manager', 'Marketing Director', 'Purchasing Agent', 'Head of Legal', 'Founder & CEO',
    'Logistics Coordinator', 'Chief Financial Officer', 'Research Scientist', 'UX Designer', 'Executive Assistant'
  ]) with ordinality as j (job_title, pos)
),
numbered as (
  select
    n,
    case when n <= 150 then 1 else 2 end as owner,
    n % 30 = 0 as is_company,                      -- a company mailbox, no person
    n % 9 = 4 and n % 30 <> 0 as is_freelancer,    -- no organization
    n between 101 and 140 as is_imported,          -- created by the CSV import
    n % 3 = 0 or n % 5 = 1 as is_customer,
    -- 7 and 11 are prime to 40 and 52: every n of 1..200 gets its own first/last name pair.
    1 + (n * 7) % 40 as first_pos,
    1 + (n * 11) % 52 as last_pos,
    -- The n / k terms keep organization and title from following the first name.
    case when n % 30 = 0 then 1 + (n / 30 * 7) % 20 else 1 + (n * 3 + n / 7) % 20 end as org_pos,
    1 + (n * 9 + n / 11) % 20 as title_pos
  from generate_series(1, 200) as n
)
select
  x.n,
  x.owner,
  format('5eed000c-000%s-4000-8000-%s', x.owner, lpad(x.n::text, 12, '0'))::uuid as id,
  format('00000000-0000-4000-8000-00000000000%s', x.owner)::uuid as user_id,
  case when not x.is_company then f.first_name end as first_name,
  case when not x.is_company then l.last_name end as last_name,
  case when x.is_company then
    o.organization || ' – ' || (array['Accounts payable', 'Front desk', 'Press office', 'Procurement', 'Support desk', 'Billing'])[x.n / 30]
  end as display_name,
  case when not x.is_freelancer then o.organization end as organization,
  case when x.is_freelancer then 'mail.example' else o.domain end as domain,
  case when x.is_company or x.n % 13 = 5 then null
       when x.is_freelancer then 'Independent consultant'
       else t.job_title end as job_title,
  case when x.is_company then (array['billing', 'info', 'press', 'procurement', 'support', 'accounts'])[x.n / 30]
       else pg_temp.ascii_slug(f.first_name) || '.' || pg_temp.ascii_slug(l.last_name) end as email_local,
  replace(co.phone_template, '{n}', lpad(x.n::text, 3, '0')) as phone,
  replace(co.phone_template, '{n}', lpad((x.n + 500)::text, 3, '0')) as office_phone,
  l.country,
  co.time_zone,
  co.language,
  x.is_company,
  x.is_freelancer,
  x.is_imported,
  x.is_customer,
  case
    when x.is_imported then pg_temp.days_ago(60) + interval '9 hours' + make_interval(secs => x.n)
    -- Most contacts are old, a few are new: the past year's interactions spread evenly.
    when x.owner = 1 then pg_temp.days_ago(round(600 - 585 * (x.n / 150.0) ^ 2)) + make_interval(hours => 8 + x.n % 10)
    else pg_temp.days_ago(round(500 - 490 * ((x.n - 150) / 50.0) ^ 2)) + make_interval(hours => 8 + x.n % 10)
  end as created_at
from numbered x
join first_names f on f.pos = x.first_pos
join last_names l on l.pos = x.last_pos
join countries co on co.country = l.country
join organizations o on o.pos = x.org_pos
join job_titles t on t.pos = x.title_pos;

insert into public.contacts (
  id, user_id, first_name, last_name, display_name, organization, job_title, metadata, tags, status, source,
  external_id, legal_hold, legal_hold_reason, created_at, updated_at)
select
  d.id,
  d.user_id,
  d.first_name,
  d.last_name,
  d.display_name,   -- null for people: the trigger builds it from first and last name
  d.organization,
  d.job_title,
  jsonb_strip_nulls(jsonb_build_object(
    'country', d.country,
    'language', d.language,
    'time_zone', d.time_zone,
    'account_tier', case when d.is_customer then
      case when d.n % 10 = 0 then 'platinum' when d.n % 10 between 1 and 3 then 'gold' else 'standard' end end,
    'lifetime_value_eur', case when d.is_customer then (d.n * 137) % 50000 + 500 end,
    'birthday', case when d.n % 6 = 2 and not d.is_company then
      make_date(1960 + d.n % 40, 1 + d.n % 12, 1 + d.n % 28)::text end,
    'linkedin', case when d.n % 7 = 3 and not d.is_company then
      'https://www.linkedin.com/in/' || replace(d.email_local, '.', '-') end,
    'preferred_contact_time', case d.n % 4 when 0 then 'morning' when 2 then 'afternoon' end,
    'nps', case when d.n % 9 = 4 then d.n % 11 end,
    'segment', case when d.is_imported then (array['SMB', 'Mid-market', 'Enterprise'])[1 + d.n % 3] end,
    'archived_reason', case d.n when 37 then 'left the company' when 88 then 'duplicate of another contact'
      when 166 then 'no longer a customer' end
  )),
  array_remove(array[
    case when d.is_customer then 'customer' end,
    case when not d.is_customer and d.n % 2 = 0 then 'lead' end,
    case when d.n % 11 = 0 then 'vip' end,
    case when d.n % 4 in (1, 2) then 'newsletter' end,
    case when d.n % 13 = 5 then 'partner' end,
    case when d.n % 17 = 8 then 'supplier' end,
    case when d.n % 29 = 3 then 'press' end,
    case when d.n % 19 = 4 then 'beta-tester' end,
    case when d.is_customer and d.n % 23 = 7 then 'churn-risk' end,
    case when d.owner = 2 and d.n % 2 = 0 then 'workshop' end,
    case when d.is_imported then 'import-2025-09' end
  ], null),
  case when d.n in (37, 88, 166) then 'archived' else 'active' end,
  case when d.is_imported then 'import' when d.n % 17 = 0 then 'agent' when d.n % 8 = 3 then 'api' else 'manual' end,
  case when d.n % 16 = 0 then 'CRM-' || lpad(d.n::text, 6, '0') end,
  d.n = 42,
  case when d.n = 42 then 'Litigation hold: contract dispute, case 2026-CV-0142. Do not delete or anonymize.' end,
  d.created_at,
  case
    when d.n in (12, 57) then pg_temp.days_ago(60) + interval '9 hours 1 minute'   -- updated by the import
    else least(d.created_at + make_interval(days => d.n % 40, hours => d.n % 7), pg_temp.days_ago(0))
  end
from pg_temp.demo_contacts d
order by d.n;

-- ============================================================================================
-- Communication channels
-- ============================================================================================
insert into public.contact_communication_channels (
  id, user_id, contact_id, channel_type, identifier, label, is_primary, is_verified,
  verified_at, consent_status, consent_source, metadata, created_at, updated_at)
with planned (n, contact_id, user_id, created_at, channel_type, identifier, label, is_primary, is_verified,
              consent_status, consent_source, metadata) as (
  -- Work (or personal) e-mail: everyone but one contact in twelve.
  select d.n, d.id, d.user_id, d.created_at, 'email', d.email_local || '@' || d.domain,
    case when d.is_freelancer then 'personal' else 'work' end, true, d.n % 3 = 1,
    case when d.n % 17 = 3 then 'withdrawn' when d.n % 4 in (0, 1) then 'granted' else 'unknown' end,
    case when d.n % 17 = 3 then 'unsubscribe link in newsletter'
         when d.n % 4 = 0 then 'web form, double opt-in'
         when d.n % 4 = 1 then 'signed service agreement' end,
    '{}'::jsonb
  from pg_temp.demo_contacts d
  where d.n % 12 <> 5
  union all
  -- A second, personal address for one person in five.
  select d.n, d.id, d.user_id, d.created_at, 'email', d.email_local || '@post.example', 'personal', false, false,
    'unknown', null, '{}'::jsonb
  from pg_temp.demo_contacts d
  where d.n % 5 = 0 and d.n % 12 <> 5 and not d.is_company and not d.is_freelancer
  union all
  -- Mobile phone: two people in three.
  select d.n, d.id, d.user_id, d.created_at, 'phone', d.phone, 'mobile', true, d.n % 4 = 2,
    case when d.n % 19 = 2 then 'withdrawn' when d.n % 5 = 1 then 'granted' else 'unknown' end,
    case when d.n % 19 = 2 then 'replied STOP to a text message' when d.n % 5 = 1 then 'verbal consent, call of first contact' end,
    '{}'::jsonb
  from pg_temp.demo_contacts d
  where d.n % 3 <> 0 and not d.is_company
  union all
  -- Office line, not primary.
  select d.n, d.id, d.user_id, d.created_at, 'phone', d.office_phone, 'office', false, false, 'unknown', null,
    jsonb_build_object('extension', (100 + d.n % 50)::text)
  from pg_temp.demo_contacts d
  where d.n % 9 = 1 and not d.is_company
  union all
  -- WhatsApp on the mobile number.
  select d.n, d.id, d.user_id, d.created_at, 'whatsapp', d.phone, null, true, true,
    case when d.n % 12 = 1 then 'granted' else 'unknown' end,
    case when d.n % 12 = 1 then 'opt-in message on WhatsApp' end,
    '{"business_account": "demo-waba"}'::jsonb
  from pg_temp.demo_contacts d
  where d.n % 6 = 1 and not d.is_company
  union all
  -- SMS on the mobile number.
  select d.n, d.id, d.user_id, d.created_at, 'sms', d.phone, null, true, false, 'granted', 'keyword JOIN sent to short code',
    '{}'::jsonb
  from pg_temp.demo_contacts d
  where d.n % 25 = 7 and d.n % 3 <> 0 and not d.is_company
  union all
  select d.n, d.id, d.user_id, d.created_at, 'telegram', '@' || replace(replace(d.email_local, '.', '_'), '-', '_'), null,
    true, false, 'unknown', null, '{}'::jsonb
  from pg_temp.demo_contacts d
  where d.n % 10 = 3 and not d.is_company
  union all
  select d.n, d.id, d.user_id, d.created_at, 'slack', 'U0' || upper(substr(md5('slack:' || d.n), 1, 9)), d.organization,
    true, true, 'unknown', null,
    jsonb_build_object('team_id', 'T0' || upper(substr(md5('slack-team:' || d.domain), 1, 9)), 'workspace', split_part(d.domain, '.', 1))
  from pg_temp.demo_contacts d
  where d.n % 14 = 4 and d.organization is not null and not d.is_company
  union all
  select d.n, d.id, d.user_id, d.created_at, 'webchat', 'visitor_' || substr(md5('webchat:' || d.n), 1, 12), 'website chat',
    true, false, 'unknown', null, '{"site": "www.demo.local"}'::jsonb
  from pg_temp.demo_contacts d
  where d.n % 20 = 9
  union all
  select d.n, d.id, d.user_id, d.created_at, 'other', 'https://www.linkedin.com/in/' || replace(d.email_local, '.', '-'),
    'LinkedIn', true, false, 'unknown', null, '{"network": "linkedin"}'::jsonb
  from pg_temp.demo_contacts d
  where d.n % 33 = 8 and not d.is_company
)
select
  md5('channel:' || p.contact_id || ':' || p.channel_type || ':' || p.identifier)::uuid,
  p.user_id, p.contact_id, p.channel_type, p.identifier,   -- the trigger derives normalized_identifier
  p.label, p.is_primary, p.is_verified,
  case when p.is_verified then p.created_at + interval '2 days' end,
  p.consent_status, p.consent_source, p.metadata, p.created_at, p.created_at
from planned p
order by p.n, p.channel_type, p.is_primary desc, p.identifier;

-- ============================================================================================
-- Groups and memberships
-- ============================================================================================
-- Parents first: the cycle trigger looks the parent up.
insert into public.contact_groups (id, user_id, name, description, group_type, criteria, parent_group_id, created_at, updated_at)
values
  ('5eed000b-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', 'Customers',
   'Everyone who buys from us. Subgroups: enterprise accounts, DACH customers.', 'static', null, null,
   pg_temp.days_ago(590), pg_temp.days_ago(20)),
  ('5eed000b-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'Enterprise customers',
   'Customers at our four largest accounts.', 'static', null, '5eed000b-0000-4000-8000-000000000001',
   pg_temp.days_ago(500), pg_temp.days_ago(45)),
  ('5eed000b-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000001', 'Customers in DACH',
   'Smart: customers in Germany, Austria or Switzerland.', 'smart',
   '{"match": "all", "rules": [
      {"field": "tags", "op": "contains", "value": "customer"},
      {"field": "metadata.country", "op": "in", "value": ["DE", "AT", "CH"]}]}',
   '5eed000b-0000-4000-8000-000000000001', pg_temp.days_ago(300), pg_temp.days_ago(300)),
  ('5eed000b-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000001', 'VIP contacts',
   'Smart: tagged vip, or a platinum account.', 'smart',
   '{"match": "any", "rules": [
      {"field": "tags", "op": "contains", "value": "vip"},
      {"field": "metadata.account_tier", "op": "equals", "value": "platinum"}]}',
   null, pg_temp.days_ago(450), pg_temp.days_ago(90)),
  ('5eed000b-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000001', 'Newsletter',
   'Monthly product newsletter.', 'static', null, null, pg_temp.days_ago(560), pg_temp.days_ago(7)),
  ('5eed000b-0000-4000-8000-000000000006', '00000000-0000-4000-8000-000000000001', 'Press & analysts',
   'Journalists and industry analysts.', 'static', null, null, pg_temp.days_ago(400), pg_temp.days_ago(400)),
  ('5eed000b-0000-4000-8000-000000000011', '00000000-0000-4000-8000-000000000002', 'Workshop attendees',
   'People booked on a workshop this season.', 'static', null, null, pg_temp.days_ago(480), pg_temp.days_ago(2)),
  ('5eed000b-0000-4000-8000-000000000012', '00000000-0000-4000-8000-000000000002', 'Speakers',
   'Workshop speakers.', 'static', null, '5eed000b-0000-4000-8000-000000000011', pg_temp.days_ago(470), pg_temp.days_ago(15)),
  ('5eed000b-0000-4000-8000-000000000013', '00000000-0000-4000-8000-000000000002', 'Hinode Games team',
   'Smart: everyone at Hinode Games.', 'smart',
   '{"rules": [{"field": "organization", "op": "equals", "value": "Hinode Games"}]}',
   null, pg_temp.days_ago(200), pg_temp.days_ago(200));

insert into public.contact_group_memberships (group_id, contact_id, user_id, created_at)
with enterprise (organization) as (
  values ('Northwind Traders'), ('Contoso Pharmaceuticals'), ('Globex Corporation'), ('Fabrikam GmbH')
)
-- Customers: every customer but the enterprise ones, who sit in the subgroup.
select '5eed000b-0000-4000-8000-000000000001'::uuid, d.id, d.user_id, d.created_at + interval '1 hour'
from pg_temp.demo_contacts d
where d.owner = 1 and d.is_customer and coalesce(d.organization, '') not in (select e.organization from enterprise e)
union all
select '5eed000b-0000-4000-8000-000000000002', d.id, d.user_id, d.created_at + interval '1 hour'
from pg_temp.demo_contacts d
where d.owner = 1 and d.is_customer and d.organization in (select e.organization from enterprise e)
union all
select '5eed000b-0000-4000-8000-000000000005', d.id, d.user_id, d.created_at + interval '1 day'
from pg_temp.demo_contacts d
where d.owner = 1 and d.n % 4 in (1, 2) and d.n % 17 <> 3 and d.n % 12 <> 5
union all
select '5eed000b-0000-4000-8000-000000000006', d.id, d.user_id, d.created_at + interval '1 day'
from pg_temp.demo_contacts d
where d.owner = 1 and (d.n % 29 = 3 or d.n = 90)
union all
select '5eed000b-0000-4000-8000-000000000011', d.id, d.user_id, d.created_at + interval '2 hours'
from pg_temp.demo_contacts d
where d.owner = 2 and d.n % 2 = 0 and d.n not in (152, 158, 164, 170)
union all
select '5eed000b-0000-4000-8000-000000000012', d.id, d.user_id, d.created_at + interval '2 hours'
from pg_temp.demo_contacts d
where d.n in (152, 158, 164, 170)
order by 1, 2;

-- ============================================================================================
-- Agent grants
-- ============================================================================================
--   01 Sales assistant  group 'Customers' (and subgroups)  write    all channels            open-ended
--   02 Support bot      all contacts                       read     e-mail only             bounded, current
--   03 Support bot      specific contacts (6)              message  email, whatsapp, webchat open-ended
--   04 Sales assistant  all contacts                       message  all channels            expired
--   05 Sales assistant  group 'VIP contacts' (smart)       message  email, phone            starts in 14 days
--   06 Scheduler        group 'Workshop attendees'         message  email, phone, sms       open-ended
--   07 Scheduler        specific contacts (3)              write    all channels            bounded, current
insert into public.agent_contact_permissions (
  id, user_id, agent_id, permission_type, group_id, permission_level, allowed_channel_types, valid_from, valid_until,
  created_at, updated_at)
values
  ('5eed000d-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', '5eed000a-0000-4000-8000-000000000001',
   'group', '5eed000b-0000-4000-8000-000000000001', 'write', null,
   pg_temp.days_ago(200), null, pg_temp.days_ago(200), pg_temp.days_ago(200)),
  ('5eed000d-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', '5eed000a-0000-4000-8000-000000000002',
   'all_contacts', null, 'read', array['email'],
   pg_temp.days_ago(90), pg_temp.days_ago(-275), pg_temp.days_ago(91), pg_temp.days_ago(91)),
  ('5eed000d-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000001', '5eed000a-0000-4000-8000-000000000002',
   'specific_contacts', null, 'message', array['email', 'whatsapp', 'webchat'],
   pg_temp.days_ago(30), null, pg_temp.days_ago(30), pg_temp.days_ago(30)),
  ('5eed000d-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000001', '5eed000a-0000-4000-8000-000000000001',
   'all_contacts', null, 'message', null,
   pg_temp.days_ago(400), pg_temp.days_ago(30), pg_temp.days_ago(401), pg_temp.days_ago(401)),
  ('5eed000d-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000001', '5eed000a-0000-4000-8000-000000000001',
   'group', '5eed000b-0000-4000-8000-000000000004', 'message', array['email', 'phone'],
   pg_temp.days_ago(-14), pg_temp.days_ago(-104), pg_temp.days_ago(1), pg_temp.days_ago(1)),
  ('5eed000d-0000-4000-8000-000000000006', '00000000-0000-4000-8000-000000000002', '5eed000a-0000-4000-8000-000000000003',
   'group', '5eed000b-0000-4000-8000-000000000011', 'message', array['email', 'phone', 'sms'],
   pg_temp.days_ago(370), null, pg_temp.days_ago(370), pg_temp.days_ago(370)),
  ('5eed000d-0000-4000-8000-000000000007', '00000000-0000-4000-8000-000000000002', '5eed000a-0000-4000-8000-000000000003',
   'specific_contacts', null, 'write', null,
   pg_temp.days_ago(60), pg_temp.days_ago(-305), pg_temp.days_ago(60), pg_temp.days_ago(60));

insert into public.agent_specific_contact_access (id, user_id, permission_id, agent_id, contact_id, created_at)
select
  md5('access:' || g.permission_id || ':' || d.id)::uuid, d.user_id, g.permission_id, g.agent_id, d.id,
  pg_temp.days_ago(g.granted_days_ago)
from (values
  ('5eed000d-0000-4000-8000-000000000003'::uuid, '5eed000a-0000-4000-8000-000000000002'::uuid, 30, array[3, 14, 27, 42, 55, 99]),
  ('5eed000d-0000-4000-8000-000000000007'::uuid, '5eed000a-0000-4000-8000-000000000003'::uuid, 60, array[151, 160, 175])
) as g (permission_id, agent_id, granted_days_ago, contact_numbers)
join pg_temp.demo_contacts d on d.n = any (g.contact_numbers)
order by g.permission_id, d.n;

-- ============================================================================================
-- Interactions
-- ============================================================================================
-- 0 to 5 per contact (0 to 2 for imported ones) over the past year, never before the contact
-- existed, on the contact's primary channels in turn; one in eleven is an internal note. Outbound
-- messages end queued (only in the last hours), sent, delivered, read or failed; inbound ones
-- delivered (unread) or read. Every delivery timestamp is given, so the trigger stamps nothing.
insert into public.contact_interactions (
  id, user_id, contact_id, agent_id, channel_id, channel_type, interaction_type, direction, subject, content, summary,
  delivery_status, queued_at, sent_at, delivered_at, read_at, failed_at, error_code, error_message, metadata,
  occurred_at, created_at, updated_at)
with
primary_channels as (
  select ch.contact_id, ch.id as channel_id, ch.channel_type,
    row_number() over (partition by ch.contact_id order by ch.channel_type) as k,
    count(*) over (partition by ch.contact_id) as channel_count
  from public.contact_communication_channels ch
  where ch.is_primary
),
planned as (
  select d.n, i, d.id as contact_id, d.user_id, d.owner, coalesce(d.first_name, 'team') as first_name, d.organization,
    (d.n * 13 + i * 7) % 20 as r,
    (d.n + i) % 11 = 0 as is_note,
    (d.n + i) % 19 = 0 as is_recent,
    case when (d.n + 2 * i) % 3 = 0 then 'inbound' else 'outbound' end as direction,
    case
      when (d.n + i) % 19 = 0 then pg_temp.days_ago(0) - make_interval(mins => 5 + d.n % 50)
      else pg_temp.days_ago(1 + (d.n * 37 + i * 113) % least(extract(day from pg_temp.days_ago(0) - d.created_at)::int - 1, 364))
        + make_interval(hours => 8 + (d.n * i) % 10, mins => (d.n * 7 + i) % 60)
    end as occurred_at
  from pg_temp.demo_contacts d
  -- Imported contacts are two months old: fewer interactions, so that the year stays evenly filled.
  cross join lateral generate_series(1, case when d.is_imported then (d.n * 7) % 3 else (d.n * 7) % 6 end) as i
  where d.created_at < pg_temp.days_ago(3)
),
shaped as (
  select p.*,
    case when p.is_note then null else ch.channel_id end as channel_id,
    case when p.is_note then 'other' else ch.channel_type end as channel_type,
    case when p.is_note then 'internal' else p.direction end as dir,
    case
      when p.is_note then 'delivered'
      when p.direction = 'inbound' then case when p.is_recent or p.r < 4 or ch.channel_type = 'phone' then 'delivered' else 'read' end
      when p.is_recent then case when (p.n + p.i) % 2 = 0 then 'queued' else 'sent' end
      when p.r < 2 then 'failed'
      when p.r < 4 then case when ch.channel_type = 'phone' then 'delivered' else 'sent' end
      when p.r < 10 or ch.channel_type = 'phone' then 'delivered'
      else 'read'
    end as status
  from planned p
  join primary_channels ch on ch.contact_id = p.contact_id and ch.k = 1 + (p.n + p.i) % ch.channel_count
),
handled as (
  select s.*,
    case s.channel_type
      when 'email' then 'email' when 'phone' then 'call' else case when s.is_note then 'note' else 'message' end
    end as interaction_type,
    case
      when s.is_note then null
      when s.owner = 2 then
        case when (s.n + s.i) % 2 = 0 and s.channel_type in ('email', 'phone', 'sms') then '5eed000a-0000-4000-8000-000000000003'::uuid end
      when s.dir = 'inbound' and s.channel_type in ('email', 'whatsapp', 'webchat', 'telegram') and (s.n + s.i) % 2 = 0
        then '5eed000a-0000-4000-8000-000000000002'::uuid
      when s.dir = 'outbound' and s.channel_type in ('email', 'phone', 'whatsapp', 'sms') and (s.n + s.i) % 3 = 0
        then '5eed000a-0000-4000-8000-000000000001'::uuid
      when s.dir = 'outbound' and s.channel_type in ('email', 'webchat', 'whatsapp') and (s.n + s.i) % 3 = 1
        then '5eed000a-0000-4000-8000-000000000002'::uuid
    end as agent_id
  from shaped s
)
select
  md5('interaction:' || h.contact_id || ':' || h.i)::uuid,
  h.user_id, h.contact_id, h.agent_id, h.channel_id, h.channel_type, h.interaction_type, h.dir,
  -- subject
  case when h.interaction_type = 'email' then
    case h.dir
      when 'inbound' then (array['Re: Your quote', 'Question about my order', 'Invoice query', 'Re: Meeting next week',
        'Change of address', 'Re: Welcome aboard'])[1 + (h.n + h.i) % 6]
      else (array['Your quote', 'Following up on our call', 'Welcome aboard', 'Your invoice', 'Meeting next week',
        'New features this month', 'Renewal of your subscription'])[1 + (h.n + h.i) % 7]
    end
  end,
  -- content
  case
    when h.is_note then format('Internal note: %s prefers %s; follow up after the next release.', h.first_name,
      (array['e-mail', 'a call', 'short messages'])[1 + h.n % 3])
    when h.interaction_type = 'call' then format('Call with %s about %s.', h.first_name,
      (array['the renewal', 'a delivery delay', 'pricing', 'onboarding'])[1 + (h.n + h.i) % 4])
    when h.dir = 'inbound' then format('Hello, this is %s%s. %s', h.first_name,
      coalesce(' from ' || h.organization, ''),
      (array['Could you send me the updated quote?', 'My order has not arrived yet.', 'Can we move our meeting to Thursday?',
        'Thanks, that solved it!', 'Please update my billing address.'])[1 + (h.n * h.i) % 5])
    else format('Hi %s, %s', h.first_name,
      (array['thanks for your time today. Here is the summary we discussed.', 'your order has shipped and should arrive on Friday.',
        'just checking in: did the new version work for you?', 'a quick reminder of our meeting tomorrow at 10:00.',
        'your invoice is attached. Let me know if anything looks off.'])[1 + (h.n + h.i * 3) % 5])
  end,
  -- summary, written by the agent that handled the interaction
  case when h.agent_id is not null then
    (array['Answered a question about delivery times; no follow-up needed.', 'Sent the requested quote; follow up in a week.',
      'Confirmed the meeting slot.', 'Escalated to a human: billing dispute.', 'Logged interest in the enterprise plan.'])[1 + (h.n + h.i) % 5]
  end,
  h.status,
  case when h.dir = 'outbound' then h.occurred_at end,
  case when h.status in ('sent', 'delivered', 'read') or (h.status = 'failed' and h.r = 1)
       then h.occurred_at + case when h.dir = 'outbound' then interval '2 seconds' else interval '0' end end,
  case when h.status in ('delivered', 'read') then h.occurred_at + case when h.dir = 'outbound' then interval '40 seconds' else interval '0' end end,
  case when h.status = 'read' then h.occurred_at + make_interval(mins => 17 * (h.r + 1)) end,
  case when h.status = 'failed' then h.occurred_at + case when h.r = 1 then interval '10 minutes' else interval '1 minute' end end,
  case when h.status = 'failed' then
    case h.channel_type
      when 'email' then case when h.r = 1 then 'smtp_552' else 'smtp_550' end
      when 'phone' then 'no_answer' when 'sms' then '30003' when 'whatsapp' then '131026' when 'telegram' then '403'
      when 'slack' then 'channel_not_found' when 'webchat' then 'session_expired' else 'delivery_failed'
    end
  end,
  case when h.status = 'failed' then
    case h.channel_type
      when 'email' then case when h.r = 1 then 'Bounced after sending: mailbox full' else 'Mailbox unavailable: recipient address rejected' end
      when 'phone' then 'The call was not answered'
      when 'sms' then 'Unreachable destination handset'
      when 'whatsapp' then 'Message undeliverable: the recipient is not on WhatsApp or has not accepted the terms'
      when 'telegram' then 'Forbidden: bot was blocked by the user'
      when 'slack' then 'The Slack conversation could not be found'
      when 'webchat' then 'The visitor left before the message was delivered'
      else 'Delivery failed'
    end
  end,
  jsonb_strip_nulls(jsonb_build_object(
    'message_id', case when h.channel_type = 'email' then format('<%s.%s@mail.demo.local>', h.n, h.i) end,
    'provider_message_id', case when h.channel_type in ('whatsapp', 'sms', 'telegram', 'slack') then
      h.channel_type || '.' || substr(md5('message:' || h.contact_id || ':' || h.i), 1, 20) end,
    'duration_seconds', case when h.interaction_type = 'call' and h.status = 'delivered' then 30 + h.r * 17 end,
    'campaign', case when h.dir = 'outbound' and h.interaction_type = 'email' and (h.n + h.i) % 6 = 5 then 'monthly-newsletter' end
  )),
  h.occurred_at,
  h.occurred_at,
  greatest(h.occurred_at, h.occurred_at + case when h.status = 'read' then make_interval(mins => 17 * (h.r + 1))
    when h.status = 'failed' then interval '10 minutes' else interval '40 seconds' end)
from handled h
order by h.n, h.i;

-- ============================================================================================
-- Import job: contacts-2025-09.csv, 45 data rows = 40 created + 2 updated + 1 skipped + 2 failed
-- ============================================================================================
-- The status machine only moves forward through UPDATEs: pending -> processing -> completed.
insert into public.contact_import_jobs (
  id, user_id, status, file_name, file_size_bytes, file_sha256, storage_path, column_mapping, options, dry_run,
  total_rows, started_at, created_at, updated_at)
values (
  '5eed000e-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', 'pending',
  'contacts-2025-09.csv', 7342,
  encode(sha256(convert_to('demo seed: contacts-2025-09.csv', 'UTF8')), 'hex'),
  'imports/00000000-0000-4000-8000-000000000001/contacts-2025-09.csv',
  '{"First name": "first_name", "Last name": "last_name", "Company": "organization", "Title": "job_title",
    "E-mail": "email", "Mobile": "phone", "Customer ID": "external_id", "Segment": "metadata.segment"}',
  '{"delimiter": ",", "encoding": "utf-8", "has_header": true, "default_country": "GB", "on_duplicate": "update"}',
  false, 45,
  pg_temp.days_ago(60) + interval '9 hours',   -- started_at: kept by the trigger when processing starts
  pg_temp.days_ago(60) + interval '8 hours 59 minutes', pg_temp.days_ago(60) + interval '8 hours 59 minutes');

update public.contact_import_jobs
set status = 'processing'
where id = '5eed000e-0000-4000-8000-000000000001';

update public.contact_import_jobs
set status = 'completed', processed_rows = 45, created_count = 40, updated_count = 2, skipped_count = 1, failed_count = 2,
  error_summary = '2 rows failed and 1 row was skipped; see the error report.'
where id = '5eed000e-0000-4000-8000-000000000001';

-- The trigger stamped completed_at with the time of this reset; the demo job ran 60 days ago.
-- (Only a status change fires that trigger, so this back-dating keeps it.)
update public.contact_import_jobs
set completed_at = started_at + interval '41 seconds'
where id = '5eed000e-0000-4000-8000-000000000001';

insert into public.contact_import_job_errors (user_id, job_id, row_number, column_name, value_excerpt, reason, created_at)
values
  ('00000000-0000-4000-8000-000000000001', '5eed000e-0000-4000-8000-000000000001', 8, 'E-mail', 'jane.doe@@example',
   'failed: not a valid e-mail address', pg_temp.days_ago(60) + interval '9 hours 10 seconds'),
  ('00000000-0000-4000-8000-000000000001', '5eed000e-0000-4000-8000-000000000001', 24, 'Mobile', '0171 555 1234 ext',
   'failed: not a phone number (expected E.164 or a national number of the default country)',
   pg_temp.days_ago(60) + interval '9 hours 22 seconds'),
  ('00000000-0000-4000-8000-000000000001', '5eed000e-0000-4000-8000-000000000001', 32, null, null,
   'skipped: duplicate of line 13 (same e-mail address)', pg_temp.days_ago(60) + interval '9 hours 27 seconds');

-- ============================================================================================
-- Retention policies
-- ============================================================================================
-- The destructive one is disabled so that the demo data stays; the enabled ones touch nothing in
-- it (no interaction is older than a year, no contact older than 1095 days).
insert into public.contact_retention_policies (id, user_id, data_class, action, retain_days, is_enabled, created_at, updated_at)
values
  ('5eed000f-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', 'import_jobs', 'delete', 365, false,
   pg_temp.days_ago(300), pg_temp.days_ago(300)),
  ('5eed000f-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'interaction_content', 'anonymize', 730, true,
   pg_temp.days_ago(300), pg_temp.days_ago(300)),
  ('5eed000f-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'inactive_contacts', 'anonymize', 1095, true,
   pg_temp.days_ago(200), pg_temp.days_ago(200));

drop table pg_temp.demo_contacts;
drop function pg_temp.ascii_slug(text);
drop function pg_temp.days_ago(numeric);
end
$seed$;
