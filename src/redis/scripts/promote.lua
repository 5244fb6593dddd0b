--[[
  promote: move due retries from the delayed zset back into the stage stream.

  Each job is re-added from its hash (`q:<kind>`, the source of truth). ZREM decides who promotes
  a job, so many promoters (and re-sends) add it once.

  KEYS[1] delayed zset  KEYS[2] stage stream  KEYS[3] entries index
  KEYS[4 ..] per job: job hash
  ARGV[1] now (ms)  ARGV[2] kind  ARGV[3] n  ARGV[4 ..] per job: job id

  Returns the number of entries added.
]]
local now, kind, n = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local added = 0
for i = 1, n do
  local jid = ARGV[3 + i]
  local due = redis.call('ZSCORE', KEYS[1], jid)
  if due and tonumber(due) <= now and redis.call('ZREM', KEYS[1], jid) == 1 then
    local data = redis.call('HGET', KEYS[3 + i], 'q:' .. kind)
    if data then
      local id = redis.call('XADD', KEYS[2], '*', 'data', data)
      redis.call('HSET', KEYS[3], id, jid)
      added = added + 1
    end
  end
end
return added
