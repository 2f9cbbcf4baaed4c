-- Lists a suppressed alert once: a redelivered alert (the same alertId, as a monitor restart
-- re-applies its input) is not listed again while the list still holds it.
-- KEYS[1] the capped stream of suppressed alerts, KEYS[2] a sorted set of the alert ids it
-- holds (score: when listed), both trimmed to the same newest ARGV[3] entries.
-- ARGV[1] alertId, ARGV[2] the record as JSON, ARGV[3] how many are kept.
-- Returns 1 when listed, 0 when already there.
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
local cap = tonumber(ARGV[3])
local now = redis.call('TIME')
redis.call('XADD', KEYS[1], 'MAXLEN', cap, '*', 'json', ARGV[2])
redis.call('ZADD', KEYS[2], tonumber(now[1]) * 1000000 + tonumber(now[2]), ARGV[1])
local extra = redis.call('ZCARD', KEYS[2]) - cap
if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1) end
return 1
