--[[ priority (a prelude): the queue priority of a case document, as case-model.ts queuePriority
  computes it: severity rank x 1000 + score + a fraction below 1 that is larger the earlier the
  case opened (whole seconds of its openedAt, any year 0000 to 9999), so among cases of one
  severity and score the older comes first. The same operations in the same order as in TypeScript give the same double. ]]
local QUEUE_RANKS = { low = 0, medium = 1, high = 2, critical = 3 }
-- The first second after 9999-12-31T23:59:59Z: the fraction is in (0, 0.32) for every time the contract accepts.
local AFTER_LAST_SECOND = 253402300800
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
  return era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
end
local function opened_seconds(iso)
  local y, mo, d, h, mi, s = string.match(iso, '^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)')
  return days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)
end
local function queue_priority(doc)
  return QUEUE_RANKS[doc.severity] * 1000 + doc.score + (AFTER_LAST_SECOND - opened_seconds(doc.openedAt)) / 1e12
end
