-- Rolls back 20251004000001_retention_keyset_index.
set lock_timeout = '5s';

-- squawk-ignore require-concurrent-index-deletion -- a rollback runs in one transaction, like the migration.
drop index public.contacts_legal_hold_idx;
-- squawk-ignore require-concurrent-index-deletion -- as above.
drop index public.contacts_user_id_created_at_idx;
