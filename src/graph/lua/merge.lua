--[[ merge: union of two clusters by minimum id, atomically, unless a guard holds it back.
  KEYS[1] parent hash   KEYS[2] size hash   KEYS[3] change stream
  ARGV[1] key prefix (with {graph} tag)   ARGV[2] id a   ARGV[3] id b   ARGV[4] max cluster size
  ARGV[5] heuristic   ARGV[6] ref (txid)   ARGV[7] event time ms   ARGV[8] guard reason from the
  caller's label check ('' when none; labels are read before, and a label write between is
  re-checked by the caller's retry)
  Returns { status, survivor, absorbed, reason } with status merged | same | held. ]]
local function find(x)
  local path = {}
  while true do
    local p = redis.call('HGET', KEYS[1], x)
    if (not p) or p == x then break end
    table.insert(path, x)
    x = p
  end
  for _, node in ipairs(path) do redis.call('HSET', KEYS[1], node, x) end
  return x
end
local ra, rb = find(ARGV[2]), find(ARGV[3])
if ra == rb then return { 'same', ra, '', '' } end
local survivor, absorbed = ra, rb
if tonumber(rb) < tonumber(ra) then survivor, absorbed = rb, ra end
local total = tonumber(redis.call('HGET', KEYS[2], ra) or '1') + tonumber(redis.call('HGET', KEYS[2], rb) or '1')
local reason = ARGV[8]
if reason == '' and total > tonumber(ARGV[4]) then reason = 'merged size ' .. total .. ' exceeds ' .. ARGV[4] end
if reason ~= '' then
  redis.call('XADD', KEYS[3], '*', 'kind', 'held-merge', 'cluster', survivor, 'absorbed', absorbed, 'heuristic', ARGV[5], 'ref', ARGV[6], 'time', ARGV[7], 'reason', reason)
  return { 'held', survivor, absorbed, reason }
end
redis.call('HSET', KEYS[1], absorbed, survivor)
redis.call('HSET', KEYS[2], survivor, total)
redis.call('HDEL', KEYS[2], absorbed)
local from = ARGV[1] .. 'labelled:' .. absorbed
if redis.call('EXISTS', from) == 1 then
  redis.call('SUNIONSTORE', ARGV[1] .. 'labelled:' .. survivor, ARGV[1] .. 'labelled:' .. survivor, from)
  redis.call('DEL', from)
end
redis.call('XADD', KEYS[3], '*', 'kind', 'merge', 'cluster', survivor, 'absorbed', absorbed, 'heuristic', ARGV[5], 'ref', ARGV[6], 'time', ARGV[7])
return { 'merged', survivor, absorbed, '' }
