-- The display-name trigger trimmed with E' \t\n\r\f\v', but PostgreSQL's E'' strings have no \v
-- escape: the trim set held the letter v, so "Susan Ivanov" was stored as "Susan Ivano". Same
-- trigger, with the vertical tab spelled chr(11); names already stored are left as they are (the
-- lost letter cannot be told from the data).
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
