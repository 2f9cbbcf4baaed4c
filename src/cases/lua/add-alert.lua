--[[ add-alert: add an alert to its subject's open case, opening one if none; idempotent by alertId.
  Every key is declared (Redis Cluster): the caller reads the subject's open case and its document
  first and names that case's keys and index sets. If the subject's case or its document changed in
  between, nothing is written and the current case id comes back with added = -1, for the caller to
  read again and retry.
  KEYS[1] open zset (score = queue priority)   KEYS[2] alert index key   KEYS[3] subject key
  KEYS[4] case key    KEYS[5] case audit stream   KEYS[6] case alerts hash
  (KEYS[4..6] of the expected case, or of the case to open)
  KEYS[7] opened index (score = openedAt ms)   KEYS[8] typology names set
  KEYS[9 .. 8+r] index sets the case leaves   KEYS[9+r .. 8+r+a] index sets it is in after (score = queue priority:
  severity rank x 1000 + case score, the older first: priority.lua, case-model.ts queuePriority)
  KEYS[9+r+a] the dashboard's alerts-per-day counters
  KEYS[10+r+a .. 9+r+a+c] the case sets of the clusters the alert names (score = the newest ARGV[14])
  KEYS[10+r+a+c] pending-approval zset: an alert that joins a case awaiting approval sets the
  proposal aside (the case is open again): the proposer reviewed the alerts before it, not this one
  ARGV[1] the subject's open case id the caller read ('' when none)
  ARGV[2] the case id KEYS[4] and KEYS[5] belong to (ARGV[1], or the id of a new case)
  ARGV[3] alertId   ARGV[4] subject accountId   ARGV[5] score   ARGV[6] severity
  ARGV[7] severity rank (0-3)   ARGV[8] typology   ARGV[9] triggeredAt (ISO)
  ARGV[10] alert ids (and whole alerts) a case keeps, and add-alert entries audited
  ARGV[11] alert index TTL (s)   ARGV[12] the alert as JSON
  ARGV[13] the case document the caller read ('' when none)   ARGV[14] openedAt of a new case (ms)
  ARGV[15] r   ARGV[16] a   ARGV[17] the alert's counter field (day|typology)   ARGV[18] c
  Returns { caseId, added (1 | 0 | -1 = read again and retry) } ]]
local known = redis.call('GET', KEYS[2])
if known then return { known, 0 } end
local current = redis.call('GET', KEYS[3])
if (current or '') ~= ARGV[1] then return { current or '', -1 } end
local ranks = { low = 0, medium = 1, high = 2, critical = 3 }
local caseId = ARGV[2]
local doc
if current then
  local raw = redis.call('HGET', KEYS[4], 'doc')
  if raw ~= ARGV[13] then return { current, -1 } end
  doc = cjson.decode(raw)
  if (doc.alertCount or 0) < tonumber(ARGV[10]) then
    redis.call('XADD', KEYS[5], '*', 'action', 'add-alert', 'at', ARGV[9], 'detail', ARGV[3])
  end
else
  doc = { caseId = caseId, subject = ARGV[4], status = 'open', score = tonumber(ARGV[5]), severity = ARGV[6],
          typologies = {}, alertIds = {}, alertCount = 0, openedAt = ARGV[9], updatedAt = ARGV[9] }
  redis.call('SET', KEYS[3], caseId)
  redis.call('XADD', KEYS[5], '*', 'action', 'open', 'at', ARGV[9], 'detail', ARGV[3])
  redis.call('ZADD', KEYS[7], tonumber(ARGV[14]), caseId)
end
if type(doc.alertIds) ~= 'table' then doc.alertIds = {} end
if type(doc.typologies) ~= 'table' then doc.typologies = {} end
table.insert(doc.alertIds, ARGV[3])
doc.alertCount = (doc.alertCount or 0) + 1
redis.call('HSET', KEYS[6], ARGV[3], ARGV[12])
while #doc.alertIds > tonumber(ARGV[10]) do redis.call('HDEL', KEYS[6], table.remove(doc.alertIds, 1)) end
if tonumber(ARGV[5]) > doc.score then doc.score = tonumber(ARGV[5]) end
if tonumber(ARGV[7]) > ranks[doc.severity] then doc.severity = ARGV[6] end
local has = false
for _, t in ipairs(doc.typologies) do if t == ARGV[8] then has = true end end
if not has then table.insert(doc.typologies, ARGV[8]); table.sort(doc.typologies) end
if ARGV[9] > doc.updatedAt then doc.updatedAt = ARGV[9] end
if doc.status == 'pending-approval' then
  local proposal = doc.pending or {}
  redis.call('XADD', KEYS[5], '*', 'action', 'set-aside', 'at', ARGV[9], 'analyst', proposal.by or '', 'detail', ARGV[3],
    'note', 'alert ' .. ARGV[3] .. ' (' .. ARGV[6] .. ') joined the case after the ' .. (proposal.disposition or '') .. ' closure was proposed: it goes back to the queue for review')
  doc.status = 'open'
  doc.pending = nil
  redis.call('ZREM', KEYS[10 + tonumber(ARGV[15]) + tonumber(ARGV[16]) + tonumber(ARGV[18])], caseId)
end
redis.call('HSET', KEYS[4], 'doc', cjson.encode(doc))
local priority = queue_priority(doc)
if doc.status == 'open' then redis.call('ZADD', KEYS[1], priority, caseId) end
redis.call('SET', KEYS[2], caseId, 'EX', tonumber(ARGV[11]))
redis.call('SADD', KEYS[8], ARGV[8])
local r, a = tonumber(ARGV[15]), tonumber(ARGV[16])
for i = 9, 8 + r do redis.call('ZREM', KEYS[i], caseId) end
for i = 9 + r, 8 + r + a do redis.call('ZADD', KEYS[i], priority, caseId) end
redis.call('HINCRBY', KEYS[9 + r + a], ARGV[17], 1)
for i = 10 + r + a, 9 + r + a + tonumber(ARGV[18]) do redis.call('ZADD', KEYS[i], 'GT', tonumber(ARGV[14]), caseId) end
return { caseId, 1 }
