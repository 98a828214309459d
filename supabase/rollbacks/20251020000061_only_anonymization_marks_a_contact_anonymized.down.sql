-- Rollback of 20251020000061: the triggers and their function go, and private.anonymize_contacts
-- is as 20251003000006 defined it. Contacts anonymized by the migration stay anonymized.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contacts_anonymized_stay_as_anonymization_left_them on public.contacts;
drop trigger contacts_anonymized_by_anonymization_only on public.contacts;
drop function private.keep_anonymization_marker();

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

  with wiped as (
    update public.contacts c
    set first_name = null, last_name = null, display_name = 'Anonymized contact', organization = null,
        job_title = null, metadata = '{}'::jsonb, tags = '{}', external_id = null, status = 'anonymized'
    where c.id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into contacts_count from wiped;

  return other_counts || jsonb_build_object(
    'contacts', contacts_count,
    'contact_communication_channels', channels_count,
    'contact_interactions', interactions_count);
end;
$$;
comment on function private.anonymize_contacts(uuid[]) is 'Wipes personal fields of contacts, their interactions and every other table that references them (found in the catalog), and removes their channels; rows stay for aggregates.';
