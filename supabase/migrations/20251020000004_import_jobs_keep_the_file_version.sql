-- Every slice of an import reads on from a byte position of its file, and a file replaced in
-- Storage since was caught by its size only: a replacement of the same size (a corrected typo, a
-- re-export) was read from the middle of other rows, mixing two files in one job. The job now keeps
-- the version of the file its first slice read (Storage's ETag; on the local stand-in, the file's
-- inode and modification time), and every later slice that finds another version fails the job
-- with file_changed (import-contacts/process.ts); so does a slice whose later reads of the file find
-- another version than its first. A job begun before records its version at its next slice.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter table public.contact_import_jobs add column file_version text;
comment on column public.contact_import_jobs.file_version is 'The version of the file (Storage''s ETag) the job''s first slice read; a later slice finding another fails the job (file_changed). Written by the worker only.';
