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
  Keys are named by their index in KEYS only (Redis Cluster routes and checks by KEYS).
  Every working set is deleted before returning.
  Returns { total, caseId... } ]]
local g = tonumber(ARGV[1])
local RESULT, ALL, OPENED, AGE, BREACHES, STEP = 1, 2, 3, 4, 5, 6
-- The index in KEYS of the cases matching so far, scored by queue priority: the all-cases index
-- until a step narrows it into the result.
local current = ALL
-- Groups of one key (intersected first, all at once), and groups of several: { union = index, first = index, n = count }.
local singles, several = {}, {}
local nextKey = 7 + g
for j = 1, g do
  local n = tonumber(ARGV[1 + j])
  if n == 1 then
    table.insert(singles, nextKey)
  else
    table.insert(several, { union = 6 + j, first = nextKey, n = n })
  end
  nextKey = nextKey + n
end

if #singles > 0 then
  local args = { #singles + 1, KEYS[ALL] }
  for _, k in ipairs(singles) do table.insert(args, KEYS[k]) end
  table.insert(args, 'WEIGHTS'); table.insert(args, 1)
  for _ = 1, #singles do table.insert(args, 0) end
  redis.call('ZINTERSTORE', KEYS[RESULT], unpack(args))
  current = RESULT
end

-- Keeps only the cases also in the set at KEYS[set], with their queue priority.
local function keepIn(set)
  redis.call('ZINTERSTORE', KEYS[RESULT], 2, KEYS[current], KEYS[set], 'WEIGHTS', 1, 0)
  current = RESULT
end

-- Stores at KEYS[dest] the cases left (and in KEYS[also], if given) opened within [lo, hi],
-- scores aside: from what is left, or from that range of the opened index when it holds fewer cases.
local function openedWithin(dest, lo, hi, also)
  local sources = { KEYS[current] }
  if also then table.insert(sources, KEYS[also]) end
  if redis.call('ZCOUNT', KEYS[OPENED], lo, hi) < redis.call('ZCARD', KEYS[current]) then
    redis.call('ZRANGESTORE', KEYS[dest], KEYS[OPENED], lo, hi, 'BYSCORE')
    redis.call('ZINTERSTORE', KEYS[dest], #sources + 1, KEYS[dest], unpack(sources))
  else
    local args = { #sources + 1 }
    for _, k in ipairs(sources) do table.insert(args, k) end
    table.insert(args, KEYS[OPENED]); table.insert(args, 'WEIGHTS')
    for _ = 1, #sources do table.insert(args, 0) end
    table.insert(args, 1)
    redis.call('ZINTERSTORE', KEYS[dest], unpack(args))
    redis.call('ZRANGESTORE', KEYS[dest], KEYS[dest], lo, hi, 'BYSCORE')
  end
end

for _, group in ipairs(several) do
  for m = group.first, group.first + group.n - 1 do
    redis.call('ZINTERSTORE', KEYS[STEP], 2, KEYS[current], KEYS[m], 'WEIGHTS', 1, 0)
    redis.call('ZUNIONSTORE', KEYS[group.union], 2, KEYS[group.union], KEYS[STEP])
  end
  keepIn(group.union)
end

local lo, hi = ARGV[2 + g], ARGV[3 + g]
if lo ~= '-inf' or hi ~= '+inf' then
  openedWithin(AGE, lo, hi)
  keepIn(AGE)
end
local b = tonumber(ARGV[6 + g])
if b > 0 then
  for k = 1, b do
    openedWithin(STEP, '-inf', ARGV[6 + g + k], nextKey + k - 1)
    redis.call('ZUNIONSTORE', KEYS[BREACHES], 2, KEYS[BREACHES], KEYS[STEP])
  end
  keepIn(BREACHES)
end
local total = redis.call('ZCARD', KEYS[current])
local offset, limit = tonumber(ARGV[4 + g]), tonumber(ARGV[5 + g])
local ids = redis.call('ZREVRANGE', KEYS[current], offset, offset + limit - 1)
redis.call('DEL', KEYS[RESULT])
for i = 4, 6 + g do redis.call('DEL', KEYS[i]) end
return { total, unpack(ids) }
