-- The page function of 20251020000010, which read the cursor's place from its contact, has no caller
-- since search_contacts_for_agent passes the cursor row's names (20251020000031).
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.search_contacts_page(uuid, text, text[], uuid, integer, numeric, uuid);
