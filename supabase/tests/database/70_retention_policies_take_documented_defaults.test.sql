-- Retention policy classes and defaults: the six data classes, the actions each allows (logs are
-- deleted only, interaction content anonymized only), the documented defaults a policy gets when it
-- names only its class (anonymize, or delete for logs; no row, no retention), and the suppression
-- choice, which only inactive_contacts policies make. Owners set their own; others cannot.
begin;
select plan(12);

select tests.create_supabase_user('defaults_owner');
select tests.create_supabase_user('defaults_other_owner');

-- ============================================================================================
-- Owner (authenticated)
-- ============================================================================================
select tests.authenticate_as('defaults_owner');

select results_eq(
  $$ insert into public.contact_retention_policies (data_class)
     select unnest(array['interactions', 'interaction_content', 'inactive_contacts', 'import_jobs', 'audit_log', 'access_log'])
     returning data_class, action, retain_days, is_enabled, suppress_identifiers $$,
  $$ values ('interactions', 'anonymize', 730, true, false), ('interaction_content', 'anonymize', 365, true, false),
            ('inactive_contacts', 'anonymize', 1095, true, false), ('import_jobs', 'anonymize', 90, true, false),
            ('audit_log', 'delete', 2555, true, false), ('access_log', 'delete', 365, true, false) $$,
  'the owner adds a policy per class naming only the class, and each gets its documented default action and days');

select results_eq(
  $$ update public.contact_retention_policies set action = 'delete', retain_days = 400, suppress_identifiers = true
     where data_class = 'inactive_contacts' returning action, retain_days, suppress_identifiers $$,
  $$ values ('delete', 400, true) $$,
  'the owner opts in to deleting inactive contacts after 400 days, suppressing their identifiers');

select throws_ok(
  $$ update public.contact_retention_policies set action = 'anonymize' where data_class = 'access_log' $$,
  '23514', null,
  'the owner cannot anonymize the access log: log classes are delete only');

select throws_ok(
  $$ update public.contact_retention_policies set action = 'anonymize' where data_class = 'audit_log' $$,
  '23514', null,
  'the owner cannot anonymize the audit trail: log classes are delete only');

select throws_ok(
  $$ update public.contact_retention_policies set action = 'delete' where data_class = 'interaction_content' $$,
  '23514', null,
  'the owner cannot turn interaction_content into a delete: it wipes bodies only');

select throws_ok(
  $$ update public.contact_retention_policies set suppress_identifiers = true where data_class = 'interactions' $$,
  '23514', null,
  'the owner cannot ask an interactions policy to suppress identifiers: only inactive_contacts erase contacts');

select throws_ok(
  $$ insert into public.contact_retention_policies (data_class, retain_days) values ('everything', 30) $$,
  '23514', null,
  'the owner cannot add a policy for an unknown data class');

select throws_ok(
  $$ insert into public.contact_retention_policies (data_class, retain_days) values ('audit_log', 10) $$,
  '23505', null,
  'the owner cannot add a second policy for a class they already have');

-- ============================================================================================
-- Other owner
-- ============================================================================================
select tests.authenticate_as('defaults_other_owner');

select is_empty(
  $$ update public.contact_retention_policies set suppress_identifiers = false returning id $$,
  'the other owner cannot change the owner''s suppression choice (no row matches)');

select results_eq(
  $$ insert into public.contact_retention_policies (data_class, retain_days) values ('access_log', 30) returning action, retain_days $$,
  $$ values ('delete', 30) $$,
  'the other owner''s own access-log policy keeps the days given and takes the default action');

-- ============================================================================================
-- Superuser: what the owner holds after the attempts
-- ============================================================================================
reset role;
select set_config('request.jwt.claims', null, true);

select results_eq(
  $$ select data_class, action, retain_days, suppress_identifiers from public.contact_retention_policies
     where user_id = tests.get_supabase_uid('defaults_owner') order by data_class $$,
  $$ values ('access_log', 'delete', 365, false), ('audit_log', 'delete', 2555, false),
            ('import_jobs', 'anonymize', 90, false), ('inactive_contacts', 'delete', 400, true),
            ('interaction_content', 'anonymize', 365, false), ('interactions', 'anonymize', 730, false) $$,
  'the owner''s policies are exactly the defaults plus the one change the owner made');

select is(
  (select count(*) from public.contact_retention_policies where user_id = tests.get_supabase_uid('defaults_other_owner')),
  1::bigint,
  'an owner without policies has none: nothing is retained or removed until an owner opts in');

select * from finish();
rollback;
