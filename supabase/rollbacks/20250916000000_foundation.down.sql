-- Rolls back 20250916000000_foundation. The extensions stay: a Supabase project ships them and other
-- schemas may use them.
set lock_timeout = '5s';

drop function private.owner_hmac(uuid, text);
drop table private.owner_keys;
drop function private.normalize_channel_identifier(text, text);
drop function public.is_valid_e164_phone(text);
drop function public.is_valid_email(text);
drop function private.set_updated_at();
drop schema private;
