-- Rolls back 20251006000001_search_match_kinds.
set lock_timeout = '5s';

drop function private.search_match_kinds();
