--[[
  requeue: hand back entries that were read but never claimed (read-ahead at shutdown), so they
  are delivered again at once instead of after the lease. Job state is not touched: a copy that
  turns out to be a duplicate is acked as stale when claimed.

  XACK decides who requeues an entry (it answers 1 only while the entry is pending), so a re-send
  adds nothing twice.

  KEYS[1] work stream  KEYS[2] entries index
  ARGV[1] group  ARGV[2] n  ARGV[3+3(i-1) ..] per entry i: entry id, job id, data

  Returns the number of entries re-added.
]]
local n, added = tonumber(ARGV[2]), 0
for i = 1, n do
  local a = 2 + 3 * (i - 1)
  local eid, jid, data = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  if redis.call('XACK', KEYS[1], ARGV[1], eid) == 1 then
    redis.call('HDEL', KEYS[2], eid)
    local id = redis.call('XADD', KEYS[1], '*', 'data', data)
    redis.call('HSET', KEYS[2], id, jid)
    added = added + 1
  end
end
return added
