-- Rolls back 20251006000002_search_contacts_page.
set lock_timeout = '5s';

drop function private.search_contacts_page(uuid, text, text[], uuid, integer, numeric, uuid);
