-- Any signed-in caller could mark a contact anonymized without anonymizing it: status is a client
-- column (owners archive contacts), and 'anonymized' was accepted from an insert or an update like
-- any other value, an agent's with write access included. The rest of the project trusts the
-- marker: a retention policy that anonymizes skips such contacts (an agent could thus keep one
-- from the owner's policy, its channels and interactions intact), a repeat anonymization answers
-- the earlier receipt, and merges refuse them. An anonymized contact could also be edited back
-- into a person (names, organization) that a repeat anonymization then left as they were.
-- Now:
--  - for the API roles (authenticated, anon, service_role), only private.anonymize_contacts marks
--    a contact anonymized (a setting local to its own update); an insert or an update that sets
--    the status otherwise is refused (42501), and an anonymized contact cannot be changed (55000);
--    it can still be deleted;
--  - a contact marked before without being anonymized is anonymized here, as its status claims.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.keep_anonymization_marker()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- The API roles are held to it; the database owner (migrations, maintenance, definer code) is not.
  if pg_catalog.current_setting('contacts.anonymizing', true) is not distinct from 'on'
     or current_user not in ('authenticated', 'anon', 'service_role') then
    return new;
  end if;
  if tg_op = 'UPDATE' and old.status = 'anonymized' then
    raise exception 'an anonymized contact cannot be changed' using errcode = '55000';
  end if;
  raise exception 'only anonymization (gdpr-delete with mode anonymize, or a retention policy) marks a contact anonymized'
    using errcode = '42501';
end;
$$;
comment on function private.keep_anonymization_marker() is
  'Trigger: for the API roles, the anonymized status is set by private.anonymize_contacts only, and an anonymized contact stays as it left it.';
revoke execute on function private.keep_anonymization_marker() from public;
grant execute on function private.keep_anonymization_marker() to authenticated, service_role;

create or replace function private.anonymize_contacts(contact_ids uuid[])
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  interactions_count bigint;
  channels_count bigint;
  contacts_count bigint;
  other_counts jsonb;
begin
  with wiped as (
    update public.contact_interactions i
    set subject = null, content = null, summary = null, error_message = null, metadata = '{}'::jsonb
    where i.contact_id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into interactions_count from wiped;

  with removed as (
    delete from public.contact_communication_channels ch
    where ch.contact_id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into channels_count from removed;

  -- Every other table about these contacts, found in the catalog: free text and JSON wiped.
  other_counts := private.wipe_contact_references(anonymize_contacts.contact_ids);

  -- The marker the status is: only here, for the length of this statement (see keep_anonymization_marker).
  perform pg_catalog.set_config('contacts.anonymizing', 'on', true);
  with wiped as (
    update public.contacts c
    set first_name = null, last_name = null, display_name = 'Anonymized contact', organization = null,
        job_title = null, metadata = '{}'::jsonb, tags = '{}', external_id = null, status = 'anonymized'
    where c.id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into contacts_count from wiped;
  perform pg_catalog.set_config('contacts.anonymizing', '', true);

  return other_counts || jsonb_build_object(
    'contacts', contacts_count,
    'contact_communication_channels', channels_count,
    'contact_interactions', interactions_count);
end;
$$;
comment on function private.anonymize_contacts(uuid[]) is 'Wipes personal fields of contacts, their interactions and every other table that references them (found in the catalog), and removes their channels; rows stay for aggregates.';

create trigger contacts_anonymized_by_anonymization_only
  before insert on public.contacts
  for each row
  when (new.status = 'anonymized')
  execute function private.keep_anonymization_marker();
comment on trigger contacts_anonymized_by_anonymization_only on public.contacts is
  'A contact is never inserted as anonymized: anonymization marks it.';
create trigger contacts_anonymized_stay_as_anonymization_left_them
  before update on public.contacts
  for each row
  when (old.status = 'anonymized' or new.status = 'anonymized')
  execute function private.keep_anonymization_marker();
comment on trigger contacts_anonymized_stay_as_anonymization_left_them on public.contacts is
  'Only anonymization marks a contact anonymized, and an anonymized contact is not changed after.';

select private.anonymize_contacts(array(
  select c.id from public.contacts c
  where c.status = 'anonymized'
    and (c.first_name is not null or c.last_name is not null or c.organization is not null or c.job_title is not null
         or c.external_id is not null or c.metadata <> '{}'::jsonb or c.tags <> '{}' or c.display_name <> 'Anonymized contact'
         or exists (select 1 from public.contact_communication_channels ch where ch.contact_id = c.id and ch.user_id = c.user_id))));
