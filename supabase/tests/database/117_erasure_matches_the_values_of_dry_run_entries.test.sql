-- The erasure's scrub of dry-run reports matches the subject against the values an entry holds of
-- the file's people (names, identifiers, cell values, field values) and the contact's id, never
-- against the entry's keys, column names, reasons or row numbers (20251018000006).
begin;
select plan(9);

select ok(not private.dry_run_entry_mentions(
    '{"row": 4, "contact_id": "17000000-0000-4000-8000-000000000002", "changes": {"tags": {"from": [], "to": ["vip"]}}, "new_channels": []}',
    '17000000-0000-4000-8000-000000000001', array['ann']),
  'a key of the entry ("new_channels") is not a mention of a contact named Ann');
select ok(not private.dry_run_entry_mentions(
    '{"row": 12345, "column": "email", "value": "nope", "reason": "invalid_email: cannot be read"}',
    '17000000-0000-4000-8000-000000000001', array['ann', 'email', '234']),
  'nor are a column name, the words of a reason or a row number');
select ok(private.dry_run_entry_mentions(
    '{"row": 2, "display_name": "Ann", "identifiers": []}', '17000000-0000-4000-8000-000000000001', array['ann']),
  'a new row''s display name is');
select ok(private.dry_run_entry_mentions(
    '{"row": 2, "display_name": "Lin", "identifiers": ["ann@example.com"]}', '17000000-0000-4000-8000-000000000001', array['ann@example.com']),
  'a new row''s identifier is');
select ok(private.dry_run_entry_mentions(
    '{"row": 5, "column": "external_id", "value": "CRM-1701", "reason": "identifier_conflict"}',
    '17000000-0000-4000-8000-000000000001', array['crm-1701']),
  'a failing cell''s value is, in any case');
select ok(private.dry_run_entry_mentions(
    '{"row": 4, "contact_id": "17000000-0000-4000-8000-000000000002", "changes": {"metadata": {"from": {}, "to": {"assistant": "Ann Other"}}}, "new_channels": []}',
    '17000000-0000-4000-8000-000000000001', array['ann other']),
  'a value a changed contact''s custom field would take is');
select ok(private.dry_run_entry_mentions(
    '{"row": 4, "contact_id": "17000000-0000-4000-8000-000000000002", "changes": {}, "new_channels": [{"type": "phone", "identifier": "+442079460018"}]}',
    '17000000-0000-4000-8000-000000000001', array['+442079460018']),
  'an identifier a changed contact would gain is');
select ok(private.dry_run_entry_mentions(
    '{"row": 2, "display_name": "Seán O\"Brien", "identifiers": []}', '17000000-0000-4000-8000-000000000001', array['seán o"brien']),
  'a name with a quote is found as written');
select ok(private.dry_run_entry_mentions(
    '{"row": 4, "contact_id": "17000000-0000-4000-8000-000000000001", "changes": {}, "new_channels": []}',
    '17000000-0000-4000-8000-000000000001', array[]::text[]),
  'an entry naming the contact''s id is, whatever it holds');

select * from finish();
rollback;
