-- Rolls back 20251020000030_search_pages_continue_from_the_cursor_row: drops the page function that
-- takes the cursor row's names (the one of 20251020000010 stays).
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.search_contacts_page(uuid, text, text[], uuid, integer, numeric, uuid, text, text);
