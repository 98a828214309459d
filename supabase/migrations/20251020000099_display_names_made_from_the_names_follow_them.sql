-- A contact's display name is derived from its names (else its organization) when none is given,
-- and an import names a contact it creates from nothing else by its first identifier. Once stored
-- it stayed whatever the names became: an import under `update` that corrected a last name, or one
-- that gave first and last names to contacts a list of addresses had created, left the contact
-- shown (and searched, and told apart from its duplicates) under the old name or the address; an
-- edit of the names through the API did the same. A display name that was made that way and is
-- left unchanged while the names or organization change now follows them; one the owner chose
-- (different from what the names make) stays. Undoing an import restores the names, and the
-- display name follows them back.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.fill_contact_display_name()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  -- Space, tab, line feed, carriage return, form feed and vertical tab (chr(11): E'' has no \v).
  whitespace constant text := E' \t\n\r\f' || chr(11);
  derived text;
begin
  -- One test for the usual case (every name already NFC, all ASCII ones are), the conversion only
  -- where it is needed.
  if not (concat(new.display_name, new.first_name, new.last_name, new.organization, new.job_title) is nfc normalized) then
    new.display_name := normalize(new.display_name, nfc);
    new.first_name := normalize(new.first_name, nfc);
    new.last_name := normalize(new.last_name, nfc);
    new.organization := normalize(new.organization, nfc);
    new.job_title := normalize(new.job_title, nfc);
  end if;
  -- A display name that was made from the names, the organization or an identifier of the
  -- contact, left as it is while they change, follows them: it was never chosen for itself. So a
  -- new last name, or names given to a contact first known by its address, show.
  if tg_op = 'UPDATE' and new.display_name is not distinct from old.display_name
     and (new.first_name, new.last_name, new.organization) is distinct from (old.first_name, old.last_name, old.organization) then
    derived := coalesce(
      nullif(btrim(concat_ws(' ', btrim(new.first_name, whitespace), btrim(new.last_name, whitespace)), whitespace), ''),
      nullif(btrim(new.organization, whitespace), ''));
    if derived is not null and (
         old.display_name = coalesce(
           nullif(btrim(concat_ws(' ', btrim(old.first_name, whitespace), btrim(old.last_name, whitespace)), whitespace), ''),
           nullif(btrim(old.organization, whitespace), ''))
         or exists (
           select 1 from public.contact_communication_channels ch
           where ch.contact_id = old.id and ch.user_id = old.user_id and ch.identifier = old.display_name)) then
      new.display_name := derived;
    end if;
  end if;
  new.display_name := coalesce(
    nullif(btrim(new.display_name, whitespace), ''),
    nullif(btrim(concat_ws(' ', btrim(new.first_name, whitespace), btrim(new.last_name, whitespace)), whitespace), ''),
    nullif(btrim(new.organization, whitespace), ''));
  if new.display_name is null then
    raise exception 'a contact needs a display name, a first or last name, or an organization'
      using errcode = '23502';
  end if;
  return new;
end;
$$;
comment on function private.fill_contact_display_name() is
  'Trigger: stores the names in Unicode NFC, derives display_name when it is not given, and keeps a display name made from the names, the organization or an identifier following them; rejects a contact with no name at all.';
comment on trigger contacts_fill_display_name on public.contacts is
  'Stores the names in NFC and derives display_name from the names or organization when it is not given, or when it was made from them (or from an identifier) and they change; refuses a contact with no name.';
