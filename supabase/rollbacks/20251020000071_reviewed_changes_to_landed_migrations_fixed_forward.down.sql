-- Rolls back 20251020000071_reviewed_changes_to_landed_migrations_fixed_forward: in this folder
-- 56, 60, 61 and 62 hold the forms 71 restates, so the schema before it is the schema after it and
-- there is nothing to undo (dropping the audit trail's trigger here would undo 62).
set lock_timeout = '5s';
set statement_timeout = '5min';
