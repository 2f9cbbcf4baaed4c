--[[ remove-archived: delete a resolved case that was written to a verified archive file, if it is
  still the document archived (a reopened or changed case stays).
  KEYS[1] case key   KEYS[2] case alerts hash   KEYS[3] case audit stream   KEYS[4] the subject's key
  KEYS[5] open   KEYS[6] claimed   KEYS[7] pending   KEYS[8] resolved   KEYS[9] opened index
  KEYS[10..] the index sets the case is in
  ARGV[1] caseId   ARGV[2] the document archived   ARGV[3] the case's retention (seconds)
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
if redis.call('TTL', KEYS[3]) < 0 then redis.call('EXPIRE', KEYS[3], ARGV[3]) end
if redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('DEL', KEYS[4]) end
for i = 5, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
