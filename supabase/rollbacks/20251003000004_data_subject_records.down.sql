-- Rolls back 20251003000004_data_subject_records.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.record_subject_request(uuid, uuid, text, uuid[], text[], jsonb, uuid, jsonb);
drop function private.suppress_identifiers(uuid, text[], uuid);
drop function private.owner_hmacs(uuid, text[]);
drop function private.subject_request_receipt(public.contact_subject_requests);
