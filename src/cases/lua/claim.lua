--[[ claim: return expired leases to the queue, then claim the highest-scoring open case.
  KEYS[1] open zset   KEYS[2] claimed zset (score = lease expiry, ms)
  ARGV[1] key prefix   ARGV[2] analyst   ARGV[3] lease ms   ARGV[4] now ms   ARGV[5] now ISO
  Returns the claimed case document (JSON) or false. ]]
local p = ARGV[1]
local now = tonumber(ARGV[4])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  local doc = cjson.decode(redis.call('HGET', p .. 'case:' .. id, 'doc'))
  redis.call('XADD', p .. 'audit:' .. id, '*', 'action', 'expire', 'at', ARGV[5], 'analyst', doc.analyst or '')
  doc.status = 'open'; doc.analyst = nil; doc.leaseUntil = nil
  redis.call('HSET', p .. 'case:' .. id, 'doc', cjson.encode(doc))
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], doc.score, id)
end
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0)
if #top == 0 then return false end
local id = top[1]
local doc = cjson.decode(redis.call('HGET', p .. 'case:' .. id, 'doc'))
doc.status = 'claimed'; doc.analyst = ARGV[2]; doc.leaseUntil = now + tonumber(ARGV[3])
local encoded = cjson.encode(doc)
redis.call('HSET', p .. 'case:' .. id, 'doc', encoded)
redis.call('ZREM', KEYS[1], id)
redis.call('ZADD', KEYS[2], doc.leaseUntil, id)
redis.call('XADD', p .. 'audit:' .. id, '*', 'action', 'claim', 'at', ARGV[5], 'analyst', ARGV[2])
return encoded
