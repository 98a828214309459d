-- The import's functions and the shared-key triggers plan with the server's enable_seqscan again.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.import_contacts_batch(uuid, json, json, bigint, bigint) reset enable_seqscan;
alter function private.import_apply_batch(public.contact_import_jobs, private.contact_import_plan[], text, uuid) reset enable_seqscan;
alter function private.import_dry_run_batch(public.contact_import_jobs, private.contact_import_plan[], text, json) reset enable_seqscan;
alter function private.track_shared_channel_keys() reset enable_seqscan;
alter function private.track_shared_contact_keys() reset enable_seqscan;
