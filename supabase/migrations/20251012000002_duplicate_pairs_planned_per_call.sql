-- private.duplicate_contact_pairs finds its pairs through `= any (<keys>)` on arrays of a few keys
-- (one contact) to thousands (owner-wide). From a session's sixth call PL/pgSQL may keep a generic
-- plan, which cannot see how many keys the arrays hold: at 303,002 contacts of one owner each call
-- after the fifth took 22 s instead of 0.13 s, and a pooled connection keeps its plans. Planned for
-- each call instead; planning is about a millisecond of those 130.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.duplicate_contact_pairs(uuid, uuid, numeric, integer, numeric, uuid, uuid)
  set plan_cache_mode = force_custom_plan;
