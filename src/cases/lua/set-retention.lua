--[[ set-retention: the operator's service (the console, at start) sets the store's retention in
  force to its own CASE_RETENTION_DAYS, longer or shorter (see retention.lua); keys already kept
  longer keep their TTL.
  KEYS[1] the retention in force   ARGV[1] the service's retention (s)
  Returns the retention in force. ]]
redis.call('SET', KEYS[1], ARGV[1])
return tonumber(ARGV[1])
