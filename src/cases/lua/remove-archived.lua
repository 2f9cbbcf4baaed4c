--[[ remove-archived: delete a resolved case that was written to a verified archive file, if it is
  still the document archived (a reopened or changed case stays).
  KEYS[1] case key   KEYS[2] case alerts hash   KEYS[3] case audit stream   KEYS[4] the subject's key
  KEYS[5] the store's retention in force (retention.lua)
  KEYS[6] open   KEYS[7] claimed   KEYS[8] pending   KEYS[9] resolved   KEYS[10] opened index
  KEYS[11..] the index sets the case is in
  ARGV[1] caseId   ARGV[2] the document archived   ARGV[3] the writer's retention of a case (seconds): the store's, if longer, applies
  ARGV[4..] the archive's audit entry, as field/value pairs
  The case's audit stream stays, with the archive entry appended, until the case's retention
  ends: whoever archives, the store still shows who did what to it, and who archived it.
  Returns 1 when removed, 0 when the case changed since, -1 when it is gone. ]]
local raw = redis.call('HGET', KEYS[1], 'doc')
if not raw then return -1 end
if raw ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
redis.call('XADD', KEYS[3], '*', unpack(ARGV, 4))
if redis.call('TTL', KEYS[3]) < 0 then redis.call('EXPIRE', KEYS[3], retentionInForce(KEYS[5], tonumber(ARGV[3]))) end
if redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('DEL', KEYS[4]) end
for i = 6, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
