--[[ reindex-case: put one case in the index sets its document names (the rebuild after an upgrade,
  or a repair), if the document is still the one the caller read.
  KEYS[1] case key   KEYS[2] opened index (score = openedAt ms)
  KEYS[3 .. 2+r] index sets to take the case out of   KEYS[3+r .. 2+r+a] index sets it belongs in
  ARGV[1] caseId   ARGV[2] the document read ('' when the case is gone)   ARGV[3] r   ARGV[4] a
  ARGV[5] case queue priority (case-model.ts queuePriority)   ARGV[6] openedAt (ms), or '' to leave the opened index alone
  Returns 1 when done, 0 when the document changed since it was read. ]]
local raw = redis.call('HGET', KEYS[1], 'doc') or ''
if raw ~= ARGV[2] then return 0 end
local r, a = tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 3, 2 + r do redis.call('ZREM', KEYS[i], ARGV[1]) end
for i = 3 + r, 2 + r + a do redis.call('ZADD', KEYS[i], tonumber(ARGV[5]), ARGV[1]) end
if ARGV[6] ~= '' then redis.call('ZADD', KEYS[2], tonumber(ARGV[6]), ARGV[1]) end
if raw == '' then redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1
