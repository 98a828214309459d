-- Rolls back 20250916000006_contact_interactions.
set lock_timeout = '5s';

drop table public.contact_interactions;
drop function private.track_interaction_delivery();
