--[[ raise-retention: raise the store's retention in force to a writer's own (see retention.lua).
  KEYS[1] the retention in force   ARGV[1] the writer's retention (s)
  Returns the retention in force. ]]
return retentionInForce(KEYS[1], tonumber(ARGV[1]))
