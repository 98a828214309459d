-- Rolls back 20250916000010_gdpr_functions.
set lock_timeout = '5s';

drop function public.gdpr_delete_contact(uuid, text);
drop function public.export_contact_data_for_subject(uuid);
drop function private.forget_contact_traces(uuid);
drop function private.anonymize_contacts(uuid[]);
drop function private.forbid_agent_tokens(text);
