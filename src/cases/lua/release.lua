--[[ release: an analyst hands a claimed case back to the queue.
  KEYS[1] open zset   KEYS[2] claimed zset   KEYS[3] case key
  ARGV[1] key prefix   ARGV[2] caseId   ARGV[3] analyst   ARGV[4] now ISO
  Returns 1 when released, 0 when the case is not claimed by that analyst. ]]
local raw = redis.call('HGET', KEYS[3], 'doc')
if not raw then return 0 end
local doc = cjson.decode(raw)
if doc.status ~= 'claimed' or doc.analyst ~= ARGV[3] then return 0 end
doc.status = 'open'; doc.analyst = nil; doc.leaseUntil = nil
redis.call('HSET', KEYS[3], 'doc', cjson.encode(doc))
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[1], doc.score, ARGV[2])
redis.call('XADD', ARGV[1] .. 'audit:' .. ARGV[2], '*', 'action', 'release', 'at', ARGV[4], 'analyst', ARGV[3])
return 1
