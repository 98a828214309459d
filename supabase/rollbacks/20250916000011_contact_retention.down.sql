-- Rolls back 20250916000011_contact_retention.
set lock_timeout = '5s';

drop function public.apply_retention_policies(boolean, uuid);
drop table public.contact_retention_policies;
