--[[ intern: the id of each address, assigning the next ids on first sight (first-seen order).
  KEYS[1] ids hash (address -> id)   KEYS[2] id counter   KEYS[3] parent hash   KEYS[4] size hash
  ARGV    the addresses
  Returns the ids, in ARGV order. ]]
local out = {}
for i, address in ipairs(ARGV) do
  local id = redis.call('HGET', KEYS[1], address)
  if not id then
    id = tostring(redis.call('INCR', KEYS[2]) - 1)
    redis.call('HSET', KEYS[1], address, id)
    redis.call('HSET', KEYS[3], id, id)
    redis.call('HSET', KEYS[4], id, 1)
  end
  out[i] = id
end
return out
