--[[ resolve: close a case with a disposition and a note.
  KEYS[1] open zset   KEYS[2] claimed zset   KEYS[3] resolved zset   KEYS[4] case key
  ARGV[1] key prefix   ARGV[2] caseId   ARGV[3] disposition   ARGV[4] note   ARGV[5] analyst   ARGV[6] now ISO
  Returns 1 when resolved, 0 when missing, already resolved, or claimed by another analyst. ]]
local raw = redis.call('HGET', KEYS[4], 'doc')
if not raw then return 0 end
local doc = cjson.decode(raw)
if doc.status == 'resolved' or (doc.status == 'claimed' and doc.analyst ~= ARGV[5]) then return 0 end
doc.status = 'resolved'; doc.disposition = ARGV[3]; doc.note = ARGV[4]; doc.analyst = ARGV[5]; doc.leaseUntil = nil
redis.call('HSET', KEYS[4], 'doc', cjson.encode(doc))
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], doc.score, ARGV[2])
local subjectKey = ARGV[1] .. 'subject:' .. doc.subject
if redis.call('GET', subjectKey) == ARGV[2] then redis.call('DEL', subjectKey) end
redis.call('XADD', ARGV[1] .. 'audit:' .. ARGV[2], '*', 'action', 'resolve', 'at', ARGV[6], 'analyst', ARGV[5], 'detail', ARGV[3])
return 1
