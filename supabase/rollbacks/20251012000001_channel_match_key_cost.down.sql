-- private.channel_match_key back to plpgsql's default cost.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.channel_match_key(text, text) cost 100;
