-- Rolls back 20251003000003_contact_suppressions.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function public.lift_contact_suppression(text, text, uuid);
drop policy contact_suppressions_update_policy on public.contact_suppressions;
drop policy contact_suppressions_select_policy on public.contact_suppressions;
drop trigger contact_suppressions_record_lift on public.contact_suppressions;
drop function private.record_suppression_lift();
drop trigger contact_communication_channels_reject_suppressed_update on public.contact_communication_channels;
drop trigger contact_communication_channels_reject_suppressed_insert on public.contact_communication_channels;
drop function private.reject_suppressed_channels();
drop function private.is_suppressed(uuid, text, text);
drop table public.contact_suppressions;
