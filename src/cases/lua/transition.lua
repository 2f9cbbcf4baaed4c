--[[ transition: write a case document a human action produced (src/cases/case-transitions.ts),
  if the case is still the one the caller read (compare-and-set on the stored document), and move
  it between the index sets of the document read and of the new one.
  KEYS[1] open zset   KEYS[2] claimed zset (score = lease expiry, ms)   KEYS[3] pending zset
  KEYS[4] resolved zset   KEYS[5] case key   KEYS[6] case alerts hash   KEYS[7] the case subject's key
  KEYS[8] case audit stream
  KEYS[9 .. 8+r] index sets of the document read   KEYS[9+r .. 8+r+a] index sets of the new one
  KEYS[9+r+a] the dashboard's resolution counters   KEYS[10+r+a] the store's retention in force (retention.lua)
  ARGV[1] caseId   ARGV[2] the document read   ARGV[3] the new document   ARGV[4] new status
  ARGV[5] its score in the status zset (lease expiry when claimed, else queue priority)   ARGV[6] subject pointer: 'release' | 'take-if-free' | ''
  ARGV[7] the writer's retention of a resolved case (s): the store's, if longer, applies   ARGV[8] case queue priority (case-model.ts)   ARGV[9] r   ARGV[10] a
  ARGV[11] the resolution counters to move, as JSON [[field, delta], ...]
  ARGV[12..] audit entry field, value pairs
  Returns 1 when written, 0 when the case changed since it was read (read again and retry),
  -1 when it no longer exists. ]]
local raw = redis.call('HGET', KEYS[5], 'doc')
if not raw then return -1 end
if raw ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[5], 'doc', ARGV[3])
for i = 1, 4 do redis.call('ZREM', KEYS[i], ARGV[1]) end
local slot = ({ open = 1, claimed = 2, ['pending-approval'] = 3, resolved = 4 })[ARGV[4]]
redis.call('ZADD', KEYS[slot], tonumber(ARGV[5]), ARGV[1])
if ARGV[6] == 'release' and redis.call('GET', KEYS[7]) == ARGV[1] then redis.call('DEL', KEYS[7]) end
if ARGV[6] == 'take-if-free' then redis.call('SET', KEYS[7], ARGV[1], 'NX') end
local r, a = tonumber(ARGV[9]), tonumber(ARGV[10])
for i = 9, 8 + r do redis.call('ZREM', KEYS[i], ARGV[1]) end
for i = 9 + r, 8 + r + a do redis.call('ZADD', KEYS[i], tonumber(ARGV[8]), ARGV[1]) end
for _, d in ipairs(cjson.decode(ARGV[11])) do
  if redis.call('HINCRBY', KEYS[9 + r + a], d[1], d[2]) == 0 then redis.call('HDEL', KEYS[9 + r + a], d[1]) end
end
local fields = {}
for i = 12, #ARGV do table.insert(fields, ARGV[i]) end
redis.call('XADD', KEYS[8], '*', unpack(fields))
local retention = ARGV[4] == 'resolved' and retentionInForce(KEYS[10 + r + a], tonumber(ARGV[7]))
for i = 5, 8 do
  if i ~= 7 then
    if retention then keepAtLeast(KEYS[i], retention) else redis.call('PERSIST', KEYS[i]) end
  end
end
return 1
