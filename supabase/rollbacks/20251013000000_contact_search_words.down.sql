-- Rollback of 20251013000000_contact_search_words.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop trigger contacts_track_search_words_delete on public.contacts;
drop trigger contacts_track_search_words_update on public.contacts;
drop trigger contacts_track_search_words_insert on public.contacts;
drop function private.track_contact_search_words();
drop function private.lexeme_query(text);
drop table private.contact_search_words;
