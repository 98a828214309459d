-- Rollback of 20251002000005_contact_merges.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop index public.contact_merges_user_survivor_idx;
drop table public.contact_merges;
