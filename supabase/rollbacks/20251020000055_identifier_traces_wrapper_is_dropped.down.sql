-- Rollback of 20251020000055_identifier_traces_wrapper_is_dropped: private.identifier_traces as
-- 20251020000051 made it, with the comment and grants of 20251020000049.
set lock_timeout = '5s';
set statement_timeout = '5min';

create function private.identifier_traces(owner_id uuid, identifier text, out traces json, out counts jsonb)
language plpgsql
volatile
set search_path = ''
as $$
declare
  -- Refuses agent tokens, and an owner naming another owner.
  owner constant uuid := private.data_subject_owner(identifier_traces.owner_id);
  identifier_key constant text := private.subject_identifier_key(identifier_traces.identifier);
begin
  select t.traces, t.counts into traces, counts from private.traces_of_identifier(owner, identifier_traces.identifier, identifier_key) as t;
end;
$$;
comment on function private.identifier_traces(uuid, text) is 'What the owner''s records hold of an identifier no contact holds, as erasure by it finds them: import report lines, kept headers, dry-run entries, agent searches (never the query), groups naming it (json), and their counts with remembered withdrawals (jsonb).';
revoke execute on function private.identifier_traces(uuid, text) from public;
grant execute on function private.identifier_traces(uuid, text) to authenticated, service_role;
