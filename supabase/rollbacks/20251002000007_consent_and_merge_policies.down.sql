-- Rollback of 20251002000007_consent_and_merge_policies.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop policy contact_merges_select_policy on public.contact_merges;
drop policy contact_consent_events_insert_policy on public.contact_consent_events;
drop policy contact_consent_events_select_policy on public.contact_consent_events;
