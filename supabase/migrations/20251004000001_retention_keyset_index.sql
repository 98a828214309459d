-- Retention walks an owner's contacts oldest first in keyset batches (inactive_contacts policies:
-- created before the cutoff, no interaction since). No index served "an owner's contacts by
-- creation date", so a batch would otherwise scan every contact of every owner. And every row a
-- batch examines asks whether its contact is under legal hold: a partial index of the (few) held
-- contacts answers from a page or two instead of the primary key of every contact.
set lock_timeout = '5s';
set statement_timeout = '5min';

-- On an existing table: create index concurrently cannot run inside the migration's transaction.
-- The build holds a SHARE lock on contacts (reads go on, writes wait) for about a second per
-- million contacts; on a much larger hosted table, apply this migration in a quiet moment.
-- squawk-ignore require-concurrent-index-creation -- see above: inside the migration's transaction, a short SHARE lock measured at about 1 s per million contacts.
create index contacts_user_id_created_at_idx on public.contacts (user_id, created_at, id);
comment on index public.contacts_user_id_created_at_idx is
  'An owner''s contacts oldest first, keyset-paged by (created_at, id): retention of inactive contacts, "added since" lists.';
-- squawk-ignore require-concurrent-index-creation -- as above; the index holds only the contacts under legal hold.
create index contacts_legal_hold_idx on public.contacts (user_id, id) where legal_hold;
comment on index public.contacts_legal_hold_idx is
  'The contacts under legal hold: retention checks each row it examines against this small index.';
