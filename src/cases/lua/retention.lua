--[[ retention: a prelude of the scripts that give a resolved case's keys their TTL.
  The store keeps the retention in force in one key: the longest any writer was configured with.
  A writer's CASE_RETENTION_DAYS can raise it, never lower it, and a key's TTL is never shortened:
  `CASE_RETENTION_DAYS=1 tidewatch cases note …` had set the keys of a case kept for five years to
  expire in a day (session 44 security QA). ]]

-- The retention in force (s), raised to `asked` (the writer's own setting) if that is longer.
local function retentionInForce(key, asked)
  local kept = tonumber(redis.call('GET', key) or '0')
  if asked > kept then redis.call('SET', key, asked) end
  return math.max(kept, asked)
end

-- Keeps `key` at least `seconds` more: a key that has no TTL yet (a case being resolved) gets it,
-- one kept longer already keeps its own.
local function keepAtLeast(key, seconds)
  if redis.call('TTL', key) == -1 then redis.call('EXPIRE', key, seconds) else redis.call('EXPIRE', key, seconds, 'GT') end
end
