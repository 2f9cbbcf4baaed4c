--[[ find: the cluster root of an id, compressing the path it walks.
  KEYS[1] parent hash   ARGV[1] id
  Returns the root id. ]]
local x = ARGV[1]
local path = {}
while true do
  local p = redis.call('HGET', KEYS[1], x)
  if (not p) or p == x then break end
  table.insert(path, x)
  x = p
end
for _, node in ipairs(path) do redis.call('HSET', KEYS[1], node, x) end
return x
