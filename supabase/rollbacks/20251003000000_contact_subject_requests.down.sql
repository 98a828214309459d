-- Rolls back 20251003000000_contact_subject_requests.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop policy contact_subject_requests_select_policy on public.contact_subject_requests;
drop table public.contact_subject_requests;
