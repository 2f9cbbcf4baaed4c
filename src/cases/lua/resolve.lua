--[[ resolve: close a case with a disposition and a note.
  A case's subject never changes, so the caller reads it from the case first and declares the
  subject key; a mismatch is refused as an error rather than touching an undeclared key.
  KEYS[1] open zset   KEYS[2] claimed zset   KEYS[3] resolved zset   KEYS[4] case key
  KEYS[5] the case subject's key   KEYS[6] case audit stream
  ARGV[1] caseId   ARGV[2] disposition   ARGV[3] note   ARGV[4] analyst   ARGV[5] now ISO   ARGV[6] subject
  Returns 1 when resolved, 0 when missing, already resolved, or claimed by another analyst. ]]
local raw = redis.call('HGET', KEYS[4], 'doc')
if not raw then return 0 end
local doc = cjson.decode(raw)
if doc.subject ~= ARGV[6] then return redis.error_reply('resolve: case ' .. ARGV[1] .. ' is not for the declared subject') end
if doc.status == 'resolved' or (doc.status == 'claimed' and doc.analyst ~= ARGV[4]) then return 0 end
doc.status = 'resolved'; doc.disposition = ARGV[2]; doc.note = ARGV[3]; doc.analyst = ARGV[4]; doc.leaseUntil = nil
redis.call('HSET', KEYS[4], 'doc', cjson.encode(doc))
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], doc.score, ARGV[1])
if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
redis.call('XADD', KEYS[6], '*', 'action', 'resolve', 'at', ARGV[5], 'analyst', ARGV[4], 'detail', ARGV[2])
return 1
