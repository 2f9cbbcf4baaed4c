--[[ add-alert: add an alert to its subject's open case, opening one if none; idempotent by alertId.
  KEYS[1] open zset            KEYS[2] alert index key     KEYS[3] subject key
  ARGV[1] key prefix (with {cases} tag)   ARGV[2] alertId   ARGV[3] subject accountId
  ARGV[4] caseId to use if a new case opens   ARGV[5] score   ARGV[6] severity   ARGV[7] severity rank (0-3)
  ARGV[8] typology   ARGV[9] triggeredAt (ISO)
  Returns { caseId, added (1|0) } ]]
local p = ARGV[1]
local known = redis.call('GET', KEYS[2])
if known then return { known, 0 } end
local ranks = { low = 0, medium = 1, high = 2, critical = 3 }
local caseId = redis.call('GET', KEYS[3])
local doc
if caseId then
  doc = cjson.decode(redis.call('HGET', p .. 'case:' .. caseId, 'doc'))
  redis.call('XADD', p .. 'audit:' .. caseId, '*', 'action', 'add-alert', 'at', ARGV[9], 'detail', ARGV[2])
else
  caseId = ARGV[4]
  doc = { caseId = caseId, subject = ARGV[3], status = 'open', score = tonumber(ARGV[5]), severity = ARGV[6],
          typologies = {}, alertIds = {}, openedAt = ARGV[9], updatedAt = ARGV[9] }
  redis.call('SET', KEYS[3], caseId)
  redis.call('XADD', p .. 'audit:' .. caseId, '*', 'action', 'open', 'at', ARGV[9], 'detail', ARGV[2])
end
if type(doc.alertIds) ~= 'table' then doc.alertIds = {} end
if type(doc.typologies) ~= 'table' then doc.typologies = {} end
table.insert(doc.alertIds, ARGV[2])
if tonumber(ARGV[5]) > doc.score then doc.score = tonumber(ARGV[5]) end
if tonumber(ARGV[7]) > ranks[doc.severity] then doc.severity = ARGV[6] end
local has = false
for _, t in ipairs(doc.typologies) do if t == ARGV[8] then has = true end end
if not has then table.insert(doc.typologies, ARGV[8]); table.sort(doc.typologies) end
if ARGV[9] > doc.updatedAt then doc.updatedAt = ARGV[9] end
redis.call('HSET', p .. 'case:' .. caseId, 'doc', cjson.encode(doc))
if doc.status == 'open' then redis.call('ZADD', KEYS[1], doc.score, caseId) end
redis.call('SET', KEYS[2], caseId)
return { caseId, 1 }
