-- Rollback of 20251020000062: the service role writes the audit log again.
set lock_timeout = '5s';
set statement_timeout = '5min';

grant insert, update, truncate on table public.contact_audit_log to service_role;
