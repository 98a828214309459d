-- Rolls back 20250916000002_contacts.
set lock_timeout = '5s';

drop table public.contacts;
drop function private.fill_contact_display_name();
drop function private.protect_legal_hold();
