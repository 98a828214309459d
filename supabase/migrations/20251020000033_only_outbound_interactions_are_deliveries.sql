-- The delivery lifecycle of interactions (20250916000006) applied to every row whatever its
-- direction: an inbound message or an internal note started queued, sat in the delivery queue's
-- index, and could be moved on to sent and delivered. An agent could so record, or queue for a
-- delivery worker, an e-mail on a channel whose consent was withdrawn by calling it internal (the
-- consent rule, 20251002000001, rightly asks only outbound rows). Now:
--   * inbound messages and internal notes are no deliveries: they arrive delivered (the column's
--     default included) and may be marked read; queued, sent and failed are outbound states only;
--   * a failed message queued again starts its delivery afresh: a new queued_at, no earlier sent,
--     delivered or read time and no earlier error (it kept the first attempt's);
--   * a state reached implies the ones before it: a message delivered without being marked sent was
--     sent at the latest then (skipped states left their times empty).
-- Rows already stored that break the first rule are marked delivered as of their occurrence.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.track_interaction_delivery()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  allowed constant jsonb := '{"queued": ["sent", "delivered", "failed"], "sent": ["delivered", "read", "failed"],
    "delivered": ["read"], "read": [], "failed": ["queued"]}'::jsonb;
  outbound constant boolean := new.direction = 'outbound';
begin
  if not outbound and tg_op = 'INSERT' and new.delivery_status in ('queued', 'sent') then
    new.delivery_status := 'delivered';
  end if;
  -- A row of another direction in an outbound state (stored before this rule) may only leave it.
  if tg_op = 'UPDATE' and new.delivery_status is distinct from old.delivery_status
     and (outbound or old.delivery_status in ('delivered', 'read'))
     and not (allowed -> old.delivery_status) ? new.delivery_status then
    raise exception 'delivery status cannot go from % to %', old.delivery_status, new.delivery_status
      using errcode = '23514';
  end if;
  if tg_op = 'INSERT' or new.delivery_status is distinct from old.delivery_status then
    case new.delivery_status
      when 'queued' then
        if tg_op = 'UPDATE' then
          new.queued_at := now();
          new.sent_at := null;
          new.delivered_at := null;
          new.read_at := null;
          new.error_code := null;
          new.error_message := null;
        else
          new.queued_at := coalesce(new.queued_at, now());
        end if;
        new.failed_at := null;
      when 'sent' then new.sent_at := coalesce(new.sent_at, now());
      when 'delivered' then new.delivered_at := coalesce(new.delivered_at, now()); new.failed_at := null;
      when 'read' then new.read_at := coalesce(new.read_at, now());
      when 'failed' then new.failed_at := coalesce(new.failed_at, now());
      else null; -- an unknown status is the check constraint's to refuse
    end case;
    if new.delivery_status = 'read' then
      new.delivered_at := coalesce(new.delivered_at, new.read_at);
    end if;
    if outbound and new.delivery_status in ('delivered', 'read') then
      new.sent_at := coalesce(new.sent_at, new.delivered_at);
    end if;
    if outbound and new.delivery_status in ('sent', 'delivered', 'read') then
      new.queued_at := coalesce(new.queued_at, new.sent_at);
    end if;
  end if;
  return new;
end;
$$;
comment on function private.track_interaction_delivery() is
  'Trigger: enforces the delivery lifecycle of outbound messages (a failed one queued again starts afresh) and stamps its timestamps, a state implying the ones before it; inbound messages and internal notes arrive delivered and may be marked read.';

update public.contact_interactions
set delivery_status = 'delivered', delivered_at = coalesce(delivered_at, occurred_at), failed_at = null
where direction <> 'outbound' and delivery_status not in ('delivered', 'read');

alter table public.contact_interactions
  add constraint contact_interactions_delivery_direction_check
  check (direction = 'outbound' or delivery_status in ('delivered', 'read')) not valid;
alter table public.contact_interactions validate constraint contact_interactions_delivery_direction_check;
comment on constraint contact_interactions_delivery_direction_check on public.contact_interactions is
  'Only outbound messages are deliveries (queued, sent, failed); inbound messages and internal notes are delivered or read.';
