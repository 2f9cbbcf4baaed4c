--[[ remove-archived: delete a resolved case that was written to a verified archive file, if it is
  still the document archived (a reopened or changed case stays).
  KEYS[1] case key   KEYS[2] case alerts hash   KEYS[3] case audit stream   KEYS[4] the subject's key
  KEYS[5] open   KEYS[6] claimed   KEYS[7] pending   KEYS[8] resolved   KEYS[9] opened index
  KEYS[10..] the index sets the case is in
  ARGV[1] caseId   ARGV[2] the document archived
  Returns 1 when removed, 0 when the case changed since, -1 when it is gone. ]]
local raw = redis.call('HGET', KEYS[1], 'doc')
if not raw then return -1 end
if raw ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
redis.call('DEL', KEYS[3])
if redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('DEL', KEYS[4]) end
for i = 5, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
