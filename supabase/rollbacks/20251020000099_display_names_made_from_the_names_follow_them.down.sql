-- Rollback of 20251020000099_display_names_made_from_the_names_follow_them: fill_contact_display_name
-- and the comments as 20251020000057 made them.
set lock_timeout = '5s';

create or replace function private.fill_contact_display_name()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  -- Space, tab, line feed, carriage return, form feed and vertical tab (chr(11): E'' has no \v).
  whitespace constant text := E' \t\n\r\f' || chr(11);
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
  'Trigger: stores the names in Unicode NFC, derives display_name when it is not given; rejects a contact with no name at all.';
comment on trigger contacts_fill_display_name on public.contacts is
  'Stores the names in NFC and derives display_name from the names or organization when it is not given; refuses a contact with no name.';
