set lock_timeout = '5s';
set statement_timeout = '5min';

drop function private.import_contacts_batch(uuid, json, json, bigint, bigint);
