--[[
  restore: re-add entries that were deleted or trimmed while pending (XAUTOCLAIM reports their
  ids), rebuilt from the job hash through the entries index.

  The index entry decides who restores an id (HDEL), so concurrent reclaimers and re-sends add
  each replacement once. Jobs that are gone or finished are only unindexed.

  KEYS[1] stage stream  KEYS[2] entries index
  KEYS[3 ..] per entry: job hash
  ARGV[1] kind  ARGV[2] terminal statuses (csv)  ARGV[3] n
  ARGV[4+2(i-1)], ARGV[5+2(i-1)]  per entry i: deleted entry id, job id

  Returns the number of entries re-added.
]]
local kind, terminal, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local added = 0
for i = 1, n do
  local eid, jid = ARGV[4 + 2 * (i - 1)], ARGV[5 + 2 * (i - 1)]
  if redis.call('HGET', KEYS[2], eid) == jid then
    redis.call('HDEL', KEYS[2], eid)
    local h = redis.call('HMGET', KEYS[2 + i], 'status', 'q:' .. kind)
    if h[1] and h[2] and not string.find(',' .. terminal .. ',', ',' .. h[1] .. ',', 1, true) then
      local id = redis.call('XADD', KEYS[1], '*', 'data', h[2])
      redis.call('HSET', KEYS[2], id, jid)
      added = added + 1
    end
  end
end
return added
