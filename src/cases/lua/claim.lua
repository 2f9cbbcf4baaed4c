--[[ claim: return expired leases to the queue, then claim the highest-scoring open case.
  Every key is declared (Redis Cluster): the caller names candidate cases (the expired leases it
  read and the open case it expects on top) with their keys. Only declared cases are expired here
  (one that expires meanwhile is expired by the next claim). If the top open case is not declared,
  nothing is claimed and its id comes back, for the caller to try again with its keys.
  KEYS[1] open zset   KEYS[2] claimed zset (score = lease expiry, ms)
  KEYS[2i+1] case key, KEYS[2i+2] audit stream of candidate i (i = 1..n)
  ARGV[1] analyst   ARGV[2] lease ms   ARGV[3] now ms   ARGV[4] now ISO   ARGV[4+i] id of candidate i
  Returns { 'claimed', case document (JSON) }, { 'retry', top open case id } or false. ]]
local now = tonumber(ARGV[3])
local slot = {}
for i = 5, #ARGV do slot[ARGV[i]] = i - 4 end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  local i = slot[id]
  if i then
    local doc = cjson.decode(redis.call('HGET', KEYS[2 * i + 1], 'doc'))
    redis.call('XADD', KEYS[2 * i + 2], '*', 'action', 'expire', 'at', ARGV[4], 'analyst', doc.analyst or '')
    doc.status = 'open'; doc.analyst = nil; doc.leaseUntil = nil
    redis.call('HSET', KEYS[2 * i + 1], 'doc', cjson.encode(doc))
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZADD', KEYS[1], doc.score, id)
  end
end
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0)
if #top == 0 then return false end
local id = top[1]
local i = slot[id]
if not i then return { 'retry', id } end
local doc = cjson.decode(redis.call('HGET', KEYS[2 * i + 1], 'doc'))
doc.status = 'claimed'; doc.analyst = ARGV[1]; doc.leaseUntil = now + tonumber(ARGV[2])
local encoded = cjson.encode(doc)
redis.call('HSET', KEYS[2 * i + 1], 'doc', encoded)
redis.call('ZREM', KEYS[1], id)
redis.call('ZADD', KEYS[2], doc.leaseUntil, id)
redis.call('XADD', KEYS[2 * i + 2], '*', 'action', 'claim', 'at', ARGV[4], 'analyst', ARGV[1])
return { 'claimed', encoded }
