--[[ claim: return expired leases to the queue, then claim the open case of highest
  queue priority (severity rank x 1000 + case score, the older first: priority.lua, case-model.ts queuePriority).
  Every key is declared (Redis Cluster): the caller names candidate cases (the expired leases it
  read and the open case it expects on top) with their keys and the assignee index of the analyst
  it read holding each. Only declared cases whose holder is the one read are expired here (another
  is expired by the next claim). If the top open case is not declared, nothing is claimed and its id
  comes back, for the caller to try again with its keys.
  KEYS[1] open zset   KEYS[2] claimed zset (score = lease expiry, ms)   KEYS[3] unassigned index
  KEYS[4] the claiming analyst's assignee index
  KEYS[3i+2] case key, KEYS[3i+3] audit stream, KEYS[3i+4] assignee index of the holder read (or the
  unassigned index) of candidate i (i = 1..n)
  ARGV[1] analyst ('' only returns the expired leases, claiming nothing)   ARGV[2] lease ms   ARGV[3] now ms   ARGV[4] now ISO
  ARGV[3+2i] id of candidate i   ARGV[4+2i] the analyst read holding it ('' for none)
  Returns { 'claimed', case document (JSON) }, { 'retry', top open case id } or false. ]]
local now = tonumber(ARGV[3])
local priority = queue_priority
local slot = {}
for i = 1, (#ARGV - 4) / 2 do slot[ARGV[3 + 2 * i]] = i end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  local i = slot[id]
  if i then
    local doc = cjson.decode(redis.call('HGET', KEYS[3 * i + 2], 'doc'))
    if (doc.analyst or '') == ARGV[4 + 2 * i] then
      redis.call('XADD', KEYS[3 * i + 3], '*', 'action', 'expire', 'at', ARGV[4], 'analyst', doc.analyst or '')
      doc.status = 'open'; doc.analyst = nil; doc.leaseUntil = nil
      redis.call('HSET', KEYS[3 * i + 2], 'doc', cjson.encode(doc))
      redis.call('ZREM', KEYS[2], id)
      redis.call('ZADD', KEYS[1], priority(doc), id)
      redis.call('ZREM', KEYS[3 * i + 4], id)
      redis.call('ZADD', KEYS[3], priority(doc), id)
    end
  end
end
if ARGV[1] == '' then return false end
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0)
if #top == 0 then return false end
local id = top[1]
local i = slot[id]
if not i then return { 'retry', id } end
local doc = cjson.decode(redis.call('HGET', KEYS[3 * i + 2], 'doc'))
doc.status = 'claimed'; doc.analyst = ARGV[1]; doc.leaseUntil = now + tonumber(ARGV[2])
local encoded = cjson.encode(doc)
redis.call('HSET', KEYS[3 * i + 2], 'doc', encoded)
redis.call('ZREM', KEYS[1], id)
redis.call('ZADD', KEYS[2], doc.leaseUntil, id)
redis.call('ZREM', KEYS[3], id)
redis.call('ZADD', KEYS[4], priority(doc), id)
redis.call('XADD', KEYS[3 * i + 3], '*', 'action', 'claim', 'at', ARGV[4], 'analyst', ARGV[1])
return { 'claimed', encoded }
