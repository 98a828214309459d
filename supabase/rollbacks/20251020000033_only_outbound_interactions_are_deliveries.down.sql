-- Rolls back 20251020000033_only_outbound_interactions_are_deliveries: drops the direction check and
-- restores the delivery trigger of 20250916000006. Rows marked delivered stay delivered.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table public.contact_interactions drop constraint contact_interactions_delivery_direction_check;

create or replace function private.track_interaction_delivery()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  allowed constant jsonb := '{"queued": ["sent", "delivered", "failed"], "sent": ["delivered", "read", "failed"],
    "delivered": ["read"], "read": [], "failed": ["queued"]}'::jsonb;
begin
  if tg_op = 'UPDATE' and new.delivery_status is distinct from old.delivery_status
     and not (allowed -> old.delivery_status) ? new.delivery_status then
    raise exception 'delivery status cannot go from % to %', old.delivery_status, new.delivery_status
      using errcode = '23514';
  end if;
  if tg_op = 'INSERT' or new.delivery_status is distinct from old.delivery_status then
    case new.delivery_status
      when 'queued' then new.queued_at := coalesce(new.queued_at, now()); new.failed_at := null;
      when 'sent' then new.sent_at := coalesce(new.sent_at, now());
      when 'delivered' then new.delivered_at := coalesce(new.delivered_at, now());
      when 'read' then new.read_at := coalesce(new.read_at, now());
      when 'failed' then new.failed_at := coalesce(new.failed_at, now());
      else null; -- an unknown status is the check constraint's to refuse
    end case;
  end if;
  return new;
end;
$$;
comment on function private.track_interaction_delivery() is 'Trigger: enforces the delivery lifecycle and stamps its timestamps.';
