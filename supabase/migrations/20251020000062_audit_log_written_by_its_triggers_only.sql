-- The audit trail is evidence of who changed what, and only its triggers (private.record_contact_audit,
-- with definer rights) should write it. The service role held every privilege on it, as on every
-- public table: a secret key could insert entries naming any actor and rewrite or truncate the
-- trail, where consent history, the other evidence kept, refuses rewriting to every role.
-- The service role keeps select (it reads every owner's trail) and delete (retention of the
-- audit_log data class removes old entries row by row); insert, update and truncate go.
set lock_timeout = '5s';
set statement_timeout = '5min';

revoke insert, update, truncate on table public.contact_audit_log from service_role;
