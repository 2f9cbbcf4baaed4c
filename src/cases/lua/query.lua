--[[ query: one page of case ids matching a filter, by queue priority (severity, then score), read from the index sets only
  (no case document is read here; the caller reads the page's documents).
  KEYS[1] result (working set)   KEYS[2] the all-cases index (score = queue priority)
  KEYS[3] opened index (score = openedAt ms)   KEYS[4] working set for the age range
  KEYS[5] working set for SLA breaches   KEYS[6] working set for one breach severity
  KEYS[6+j] a working set for group j (j = 1..g)
  then the keys of every group in order, then one severity index per breach cutoff
  ARGV[1] g   ARGV[1+j] number of keys in group j (a case matches a group in any of its keys)
  ARGV[2+g] opened min ('-inf' or ms)   ARGV[3+g] opened max ('+inf' or ms)   ARGV[4+g] offset   ARGV[5+g] limit
  ARGV[6+g] b   ARGV[6+g+k] the breach cutoff of severity k, as '(ms' (opened strictly before)
  Every working set is deleted before returning.
  Returns { total, caseId... } ]]
local g = tonumber(ARGV[1])
local sets, weights = { KEYS[2] }, { 1 }
local nextKey = 7 + g
for j = 1, g do
  local n = tonumber(ARGV[1 + j])
  if n == 1 then
    table.insert(sets, KEYS[nextKey])
  else
    local members = {}
    for m = nextKey, nextKey + n - 1 do table.insert(members, KEYS[m]) end
    redis.call('ZUNIONSTORE', KEYS[6 + j], n, unpack(members))
    table.insert(sets, KEYS[6 + j])
  end
  table.insert(weights, 0)
  nextKey = nextKey + n
end
local lo, hi = ARGV[2 + g], ARGV[3 + g]
if lo ~= '-inf' or hi ~= '+inf' then
  redis.call('ZRANGESTORE', KEYS[4], KEYS[3], lo, hi, 'BYSCORE')
  table.insert(sets, KEYS[4]); table.insert(weights, 0)
end
local b = tonumber(ARGV[6 + g])
if b > 0 then
  for k = 1, b do
    redis.call('ZRANGESTORE', KEYS[6], KEYS[3], '-inf', ARGV[6 + g + k], 'BYSCORE')
    redis.call('ZINTERSTORE', KEYS[6], 2, KEYS[6], KEYS[nextKey + k - 1], 'WEIGHTS', 0, 0)
    redis.call('ZUNIONSTORE', KEYS[5], 2, KEYS[5], KEYS[6])
  end
  table.insert(sets, KEYS[5]); table.insert(weights, 0)
end
local args = { #sets }
for _, k in ipairs(sets) do table.insert(args, k) end
table.insert(args, 'WEIGHTS')
for _, w in ipairs(weights) do table.insert(args, w) end
redis.call('ZINTERSTORE', KEYS[1], unpack(args))
local total = redis.call('ZCARD', KEYS[1])
local offset, limit = tonumber(ARGV[4 + g]), tonumber(ARGV[5 + g])
local ids = redis.call('ZREVRANGE', KEYS[1], offset, offset + limit - 1)
redis.call('DEL', KEYS[1])
for i = 4, 6 + g do redis.call('DEL', KEYS[i]) end
return { total, unpack(ids) }
