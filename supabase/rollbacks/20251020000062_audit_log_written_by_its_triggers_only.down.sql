-- Rollback of 20251020000062: the service role writes the audit log again.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contact_audit_log_keep_audit_trail on public.contact_audit_log;
drop function private.keep_audit_trail();
grant insert, truncate on table public.contact_audit_log to service_role;
