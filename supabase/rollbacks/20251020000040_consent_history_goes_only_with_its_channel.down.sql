-- Rolls back 20251020000040_consent_history_goes_only_with_its_channel: consent events may be
-- deleted directly again by those who hold the privilege (the service).
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contact_consent_events_keep_history on public.contact_consent_events;
drop function private.keep_consent_history();
