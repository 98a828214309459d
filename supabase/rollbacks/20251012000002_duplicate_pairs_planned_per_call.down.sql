-- private.duplicate_contact_pairs with the server's plan cache mode again.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid)
  reset plan_cache_mode;
