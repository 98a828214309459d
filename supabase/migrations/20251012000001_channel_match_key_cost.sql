-- private.channel_match_key is plpgsql with regular expressions, about 3 µs a call, but it was
-- declared at plpgsql's default cost of 100 (a quarter of a page read). The shared-key trigger
-- finds the other holders of a channel's key with a probe per written channel; priced that cheaply,
-- the planner could prefer scanning all of the owner's channels through the (user_id, ...) prefix of
-- another index and computing the key of each, over the match-key index that stores it: quadratic
-- in the owner's channels. A 3,000-channel insert took 22 s so, and 0.34 s at this cost. The figure
-- follows PostGIS, which declares its expensive functions at 10000 for the same reason.
set lock_timeout = '5s';
set statement_timeout = '5min';

alter function private.channel_match_key(text, text) cost 10000;
