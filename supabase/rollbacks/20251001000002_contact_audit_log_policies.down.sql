-- Rolls back 20251001000002_contact_audit_log_policies. RLS stays enabled (the table's own
-- migration enabled it): without the policy the audit log denies every authenticated caller.
set lock_timeout = '5s';

drop policy contact_audit_log_select_policy on public.contact_audit_log;
