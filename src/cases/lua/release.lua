--[[ release: an analyst hands a claimed case back to the queue.
  KEYS[1] open zset   KEYS[2] claimed zset   KEYS[3] case key   KEYS[4] case audit stream
  ARGV[1] caseId   ARGV[2] analyst   ARGV[3] now ISO
  Returns 1 when released, 0 when the case is not claimed by that analyst. ]]
local raw = redis.call('HGET', KEYS[3], 'doc')
if not raw then return 0 end
local doc = cjson.decode(raw)
if doc.status ~= 'claimed' or doc.analyst ~= ARGV[2] then return 0 end
doc.status = 'open'; doc.analyst = nil; doc.leaseUntil = nil
redis.call('HSET', KEYS[3], 'doc', cjson.encode(doc))
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], doc.score, ARGV[1])
redis.call('XADD', KEYS[4], '*', 'action', 'release', 'at', ARGV[3], 'analyst', ARGV[2])
return 1
