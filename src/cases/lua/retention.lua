--[[ retention: a prelude of the scripts that give a resolved case's keys their TTL.
  The store keeps the retention in force in one key, which the operator's service (the console)
  sets at start (set-retention.lua). A user's command writes with it, whatever its own
  CASE_RETENTION_DAYS, and a key's TTL is never shortened: `CASE_RETENTION_DAYS=1 tidewatch cases
  note …` had set the keys of a case kept for five years to expire in a day, and a first fix that
  let any writer raise the retention let one with 36,500 days keep every case a century (session
  44 security QA and review). ]]

-- The retention in force (s); a store that has none yet takes `asked` (the first writer's).
local function retentionInForce(key, asked)
  local kept = tonumber(redis.call('GET', key) or '0')
  if kept > 0 then return kept end
  redis.call('SET', key, asked)
  return asked
end

-- Keeps `key` at least `seconds` more: a key that has no TTL yet (a case being resolved) gets it,
-- one kept longer already keeps its own.
local function keepAtLeast(key, seconds)
  if redis.call('TTL', key) == -1 then redis.call('EXPIRE', key, seconds) else redis.call('EXPIRE', key, seconds, 'GT') end
end
