-- Rolls back 20251003000002_data_subject_helpers.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.sum_counts(jsonb, jsonb);
drop function private.data_subject_contact_ids(uuid, uuid, text);
drop function private.subject_identifier_key(text);
drop function private.channel_identifier_key(text, text);
drop function private.data_subject_owner(uuid);
