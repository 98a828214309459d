-- private.identifier_traces (20251020000049), which worked out the owner and the identifier's key
-- and listed what the owner's records hold of the identifier, became a thin wrapper of
-- private.traces_of_identifier in 20251020000051: export_subject_data, its only caller, calls the
-- core with the owner and key it already has. Nothing calls the wrapper any more, and the core now
-- refuses agent tokens itself, so the wrapper goes.
set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.identifier_traces(uuid, text);
