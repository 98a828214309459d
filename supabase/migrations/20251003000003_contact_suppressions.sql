-- Suppression list: the identifiers of erased subjects, kept only as keyed hashes (HMAC-SHA-256
-- under the owner's secret, private.owner_hmac), so that no insert path can bring an erased person
-- back (a trigger on channels refuses them; import-contacts asks private.is_suppressed first and
-- reports such rows as 'suppressed'). Only the owner can lift a suppression, and the lift is
-- recorded (who, when, why) on the row, never by deleting it.
set lock_timeout = '5s';
set statement_timeout = '5min';
-- squawk-ignore-file require-concurrent-index-creation -- the indexes here are on the table this migration creates: empty, and concurrently cannot run inside the migration's transaction.

create table public.contact_suppressions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  identifier_type text not null,
  identifier_hmac text not null,
  request_id uuid,
  created_at timestamptz not null default now(),
  lifted_at timestamptz,
  lifted_by uuid,
  lift_reason text,
  constraint contact_suppressions_identifier_type_check check (
    identifier_type in ('email', 'phone', 'telegram', 'slack', 'webchat', 'other')),
  constraint contact_suppressions_identifier_hmac_check check (identifier_hmac ~ '^[0-9a-f]{64}$'),
  constraint contact_suppressions_lift_check check (
    (lifted_at is null) = (lift_reason is null) and (lifted_at is not null or lifted_by is null)),
  constraint contact_suppressions_lift_reason_check check (char_length(btrim(lift_reason)) between 1 and 500)
);
comment on table public.contact_suppressions is 'Identifiers of erased subjects as keyed hashes: channels carrying them cannot be created again until the owner lifts the suppression.';
comment on column public.contact_suppressions.identifier_type is 'email, phone (phone, sms and whatsapp numbers alike) or the handle''s channel type; the identifier itself is never stored.';
comment on column public.contact_suppressions.identifier_hmac is 'HMAC-SHA-256 (hex) of the identifier key (email:<address>, phone:<E.164>) under the owner''s secret.';
comment on column public.contact_suppressions.request_id is 'The data subject request (contact_subject_requests.id) that suppressed it; no foreign key, the suppression outlives that row.';
comment on column public.contact_suppressions.lifted_at is 'When the owner lifted the suppression; null while it holds.';
comment on column public.contact_suppressions.lifted_by is 'Who lifted it: the owner, or null when the service lifted it for the owner.';
comment on column public.contact_suppressions.lift_reason is 'Why it was lifted (required to lift: setting it is the lift).';

comment on index public.contact_suppressions_pkey is 'Primary key: a suppression by id.';
create unique index contact_suppressions_active_key on public.contact_suppressions (user_id, identifier_hmac) where lifted_at is null;
comment on index public.contact_suppressions_active_key is 'One active suppression per owner and identifier: the lookup of every channel insert and import row.';
create index contact_suppressions_user_created_idx on public.contact_suppressions (user_id, created_at desc);
comment on index public.contact_suppressions_user_created_idx is 'An owner''s suppression list, newest first; serves the user_id foreign key.';

-- Security definer: reads the owner's HMAC key, which no caller may see. Authorizes the caller
-- (the owner, one of the owner's agent tokens, or the service) so that nobody can probe another
-- owner's list. Returns quickly when the owner has no active suppression at all (bulk imports).
create function private.is_suppressed(owner_id uuid, channel_type text, normalized_identifier text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  secret bytea;
begin
  if not (private.is_service_caller() or is_suppressed.owner_id = (select auth.uid())) then
    raise exception 'permission denied for the suppression list of another owner' using errcode = '42501';
  end if;
  if is_suppressed.owner_id is null or is_suppressed.normalized_identifier is null
     or not exists (select 1 from public.contact_suppressions s where s.user_id = is_suppressed.owner_id and s.lifted_at is null) then
    return false;
  end if;
  select k.hmac_key into secret from private.owner_keys k where k.user_id = is_suppressed.owner_id;
  return exists (
    select 1 from public.contact_suppressions s
    where s.user_id = is_suppressed.owner_id and s.lifted_at is null
      and s.identifier_hmac = encode(extensions.hmac(convert_to(
        private.channel_identifier_key(is_suppressed.channel_type, is_suppressed.normalized_identifier), 'UTF8'), secret, 'sha256'), 'hex'));
end;
$$;
comment on function private.is_suppressed(uuid, text, text) is 'True when the owner''s suppression list holds this identifier (channel type and normalized identifier) and it has not been lifted.';
revoke execute on function private.is_suppressed(uuid, text, text) from public;
grant execute on function private.is_suppressed(uuid, text, text) to authenticated, service_role;

-- Refuses channels whose identifier is suppressed, whoever writes them (client, import, agent,
-- service). Statement-level, on the rows the statement wrote (transition tables): one probe per
-- statement when the owners involved have no active suppression, which is the common case of a
-- bulk import; HMACs are computed only for owners that have some. Security definer: it reads the
-- owners' HMAC keys and suppression lists, which agent tokens may not read; it only raises, on
-- rows the caller's own statement wrote. Queries run through EXECUTE of formatted text because
-- they read the transition tables, which static checkers (plpgsql_check) cannot see.
create function private.reject_suppressed_channels()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  offending boolean;
begin
  execute format('select exists (select 1 from public.contact_suppressions s where s.lifted_at is null
                                 and s.user_id in (select n.user_id from %I n))', 'new_rows')
    into offending;
  if not offending then
    return null;
  end if;
  execute format(
    'select exists (
       select 1
       from new_rows n
       join private.owner_keys k on k.user_id = n.user_id
       join public.contact_suppressions s on s.user_id = n.user_id and s.lifted_at is null
         and s.identifier_hmac = encode(extensions.hmac(convert_to(
           private.channel_identifier_key(n.channel_type, n.normalized_identifier), %L), k.hmac_key, %L), %L)
       %s)',
    'UTF8', 'sha256', 'hex',
    case when tg_op = 'UPDATE' then
      'where not exists (select 1 from old_rows o where o.id = n.id and o.channel_type = n.channel_type
                          and o.normalized_identifier = n.normalized_identifier)'
    else '' end)
    into offending;
  if offending then
    raise exception 'this identifier was erased at the data subject''s request and is suppressed'
      using errcode = '23514', constraint = 'contact_suppressions_active_key',
            hint = 'The owner can lift the suppression with public.lift_contact_suppression.';
  end if;
  return null;
end;
$$;
comment on function private.reject_suppressed_channels() is 'Statement trigger: refuses inserted or re-pointed channels whose identifier is on their owner''s suppression list.';
revoke execute on function private.reject_suppressed_channels() from public;
grant execute on function private.reject_suppressed_channels() to authenticated, service_role;

create trigger contact_communication_channels_reject_suppressed_insert
  after insert on public.contact_communication_channels
  referencing new table as new_rows
  for each statement execute function private.reject_suppressed_channels();
comment on trigger contact_communication_channels_reject_suppressed_insert on public.contact_communication_channels is 'Refuses new channels whose identifier is on the owner''s suppression list (erased subjects).';
create trigger contact_communication_channels_reject_suppressed_update
  after update on public.contact_communication_channels
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.reject_suppressed_channels();
comment on trigger contact_communication_channels_reject_suppressed_update on public.contact_communication_channels is 'Refuses channels changed to an identifier on the owner''s suppression list.';

-- A suppression changes once: the lift. Setting lift_reason is the lift; the trigger stamps when
-- and by whom and refuses any other change, so the list stays evidence.
create function private.record_suppression_lift()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.lifted_at is not null then
    raise exception 'this suppression was already lifted' using errcode = '55000';
  end if;
  if (new.id, new.user_id, new.identifier_type, new.identifier_hmac, new.request_id, new.created_at)
     is distinct from (old.id, old.user_id, old.identifier_type, old.identifier_hmac, old.request_id, old.created_at) then
    raise exception 'a suppression can only be lifted, not changed' using errcode = '42501';
  end if;
  if new.lift_reason is null then
    raise exception 'lifting a suppression needs a reason' using errcode = '23502';
  end if;
  new.lifted_at := now();
  new.lifted_by := (select auth.uid());
  return new;
end;
$$;
comment on function private.record_suppression_lift() is 'Trigger: a suppression can only be lifted, once, with a reason; stamps lifted_at and lifted_by.';
revoke execute on function private.record_suppression_lift() from public;
grant execute on function private.record_suppression_lift() to authenticated, service_role;

create trigger contact_suppressions_record_lift
  before update on public.contact_suppressions
  for each row execute function private.record_suppression_lift();
comment on trigger contact_suppressions_record_lift on public.contact_suppressions is 'A suppression changes only by being lifted, once, with a reason; stamps who and when.';

alter table public.contact_suppressions enable row level security;

revoke all on table public.contact_suppressions from anon, authenticated;
grant select on table public.contact_suppressions to authenticated;
grant update (lift_reason) on table public.contact_suppressions to authenticated;
grant all on table public.contact_suppressions to service_role;

create policy contact_suppressions_select_policy on public.contact_suppressions
  as permissive for select to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null);
comment on policy contact_suppressions_select_policy on public.contact_suppressions is 'Owners read their own suppression list (hashes only); agent tokens read none.';
create policy contact_suppressions_update_policy on public.contact_suppressions
  as permissive for update to authenticated
  using (user_id = (select auth.uid()) and (select private.current_agent_id()) is null)
  with check (user_id = (select auth.uid()));
comment on policy contact_suppressions_update_policy on public.contact_suppressions is 'Owners lift their own suppressions (the trigger allows nothing else); agent tokens cannot.';

-- Lifts the active suppression of an identifier, by the identifier (the owner knows it; the list
-- does not). Security invoker: RLS decides for owners; the service names the owner.
create function public.lift_contact_suppression(identifier text, reason text, owner_id uuid default null)
returns integer
language plpgsql
volatile
set search_path = ''
as $$
declare
  owner constant uuid := private.data_subject_owner(lift_contact_suppression.owner_id);
  lifted integer;
begin
  if lift_contact_suppression.reason is null or char_length(btrim(lift_contact_suppression.reason)) not between 1 and 500 then
    raise exception 'a reason of 1 to 500 characters is required to lift a suppression' using errcode = '22023';
  end if;
  update public.contact_suppressions s
  set lift_reason = btrim(lift_contact_suppression.reason)
  where s.user_id = owner and s.lifted_at is null
    and s.identifier_hmac = private.owner_hmac(owner, private.subject_identifier_key(lift_contact_suppression.identifier));
  get diagnostics lifted = row_count;
  if lifted = 0 then
    raise exception 'no active suppression for this identifier' using errcode = 'P0002';
  end if;
  return lifted;
end;
$$;
comment on function public.lift_contact_suppression(text, text, uuid) is 'Lifts the owner''s active suppression of an e-mail address or E.164 phone number, recording who, when and why; 404 (P0002) when there is none.';
revoke execute on function public.lift_contact_suppression(text, text, uuid) from public, anon;
grant execute on function public.lift_contact_suppression(text, text, uuid) to authenticated, service_role;
