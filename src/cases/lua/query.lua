--[[ query: one page of case ids matching a filter, by queue priority (severity, then score), read from the index sets only
  (no case document is read here; the caller reads the page's documents).
  KEYS[1] result (working set)   KEYS[2] the all-cases index (score = queue priority)
  KEYS[3] opened index (score = openedAt ms)   KEYS[4] working set for the age range
  KEYS[5] working set for SLA breaches   KEYS[6] working set for one step (a group's key, a breach severity)
  KEYS[6+j] a working set for group j (j = 1..g)
  then the keys of every group in order, then one severity index per breach cutoff
  ARGV[1] g   ARGV[1+j] number of keys in group j (a case matches a group in any of its keys)
  ARGV[2+g] opened min ('-inf' or ms)   ARGV[3+g] opened max ('+inf' or ms)   ARGV[4+g] offset   ARGV[5+g] limit
  ARGV[6+g] b   ARGV[6+g+k] the breach cutoff of severity k, as '(ms' (opened strictly before)
  Narrowest first: the all-cases index is intersected with every group of one key (a subject, a
  typology, an assignee; ZINTERSTORE walks its smallest input), and each later step intersects
  what is left with one set at a time, so it walks no more than what is left (or the part of the
  opened index in the age range, when that is smaller). A subject's page costs about that
  subject's cases, however many cases are kept.
  Every working set is deleted before returning.
  Returns { total, caseId... } ]]
local g = tonumber(ARGV[1])
local result, step = KEYS[1], KEYS[6]
-- The cases matching so far, scored by queue priority: the all-cases index until a step narrows it into the result.
local current = KEYS[2]
local singles, several = {}, {}
local nextKey = 7 + g
for j = 1, g do
  local n = tonumber(ARGV[1 + j])
  if n == 1 then
    table.insert(singles, KEYS[nextKey])
  else
    local members = {}
    for m = nextKey, nextKey + n - 1 do table.insert(members, KEYS[m]) end
    table.insert(several, { union = KEYS[6 + j], members = members })
  end
  nextKey = nextKey + n
end

if #singles > 0 then
  local args = { #singles + 1, KEYS[2] }
  for _, k in ipairs(singles) do table.insert(args, k) end
  table.insert(args, 'WEIGHTS'); table.insert(args, 1)
  for _ = 1, #singles do table.insert(args, 0) end
  redis.call('ZINTERSTORE', result, unpack(args))
  current = result
end

-- Keeps only the cases also in `set`, with their queue priority.
local function keepIn(set)
  redis.call('ZINTERSTORE', result, 2, current, set, 'WEIGHTS', 1, 0)
  current = result
end

-- Stores in `dest` the cases left (and in `also`, if given) opened within [lo, hi], scores aside:
-- from what is left, or from that range of the opened index when it holds fewer cases.
local function openedWithin(dest, lo, hi, also)
  local sources = { current }
  if also then table.insert(sources, also) end
  if redis.call('ZCOUNT', KEYS[3], lo, hi) < redis.call('ZCARD', current) then
    redis.call('ZRANGESTORE', dest, KEYS[3], lo, hi, 'BYSCORE')
    redis.call('ZINTERSTORE', dest, #sources + 1, dest, unpack(sources))
  else
    local args = { #sources + 1 }
    for _, k in ipairs(sources) do table.insert(args, k) end
    table.insert(args, KEYS[3]); table.insert(args, 'WEIGHTS')
    for _ = 1, #sources do table.insert(args, 0) end
    table.insert(args, 1)
    redis.call('ZINTERSTORE', dest, unpack(args))
    redis.call('ZRANGESTORE', dest, dest, lo, hi, 'BYSCORE')
  end
end

for _, group in ipairs(several) do
  for _, member in ipairs(group.members) do
    redis.call('ZINTERSTORE', step, 2, current, member, 'WEIGHTS', 1, 0)
    redis.call('ZUNIONSTORE', group.union, 2, group.union, step)
  end
  keepIn(group.union)
end

local lo, hi = ARGV[2 + g], ARGV[3 + g]
if lo ~= '-inf' or hi ~= '+inf' then
  openedWithin(KEYS[4], lo, hi)
  keepIn(KEYS[4])
end
local b = tonumber(ARGV[6 + g])
if b > 0 then
  for k = 1, b do
    openedWithin(step, '-inf', ARGV[6 + g + k], KEYS[nextKey + k - 1])
    redis.call('ZUNIONSTORE', KEYS[5], 2, KEYS[5], step)
  end
  keepIn(KEYS[5])
end
local total = redis.call('ZCARD', current)
local offset, limit = tonumber(ARGV[4 + g]), tonumber(ARGV[5 + g])
local ids = redis.call('ZREVRANGE', current, offset, offset + limit - 1)
redis.call('DEL', result)
for i = 4, 6 + g do redis.call('DEL', KEYS[i]) end
return { total, unpack(ids) }
