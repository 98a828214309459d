-- Rolls back 20251003000006_catalog_driven_anonymization: restores anonymize_contacts as
-- 20250916000010_gdpr_functions defined it.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.anonymize_contacts(contact_ids uuid[])
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  interactions_count bigint;
  channels_count bigint;
  contacts_count bigint;
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

  with wiped as (
    update public.contacts c
    set first_name = null, last_name = null, display_name = 'Anonymized contact', organization = null,
        job_title = null, metadata = '{}'::jsonb, tags = '{}', external_id = null, status = 'anonymized'
    where c.id = any (anonymize_contacts.contact_ids)
    returning 1
  )
  select count(*) into contacts_count from wiped;

  return jsonb_build_object(
    'contacts', contacts_count,
    'contact_communication_channels', channels_count,
    'contact_interactions', interactions_count);
end;
$$;
comment on function private.anonymize_contacts(uuid[]) is 'Wipes personal fields of contacts and their interactions and removes their channels; rows stay for aggregates.';

drop function private.wipe_contact_references(uuid[]);
drop function private.contact_reference_columns();
