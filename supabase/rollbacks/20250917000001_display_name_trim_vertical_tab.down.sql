-- Rolls back 20250917000001_display_name_trim_vertical_tab: the previous trigger function.
set lock_timeout = '5s';
set statement_timeout = '5min';

create or replace function private.fill_contact_display_name()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  whitespace constant text := E' \t\n\r\f\v';
begin
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
