--[[
  heartbeat: extend the leases of a batch of running jobs.

  For each job whose lock and fence both still hold the worker's token: PEXPIRE the lock and XCLAIM
  the entry to this consumer (JUSTID, resets its idle time so the reclaimer leaves it alone). If
  the entry is gone from the stream (trimmed or XDEL'd while pending), a replacement is added from
  the job hash so the job cannot be lost if this worker dies; the worker then acks the new id.

  KEYS[1] work stream  KEYS[2] entries index
  KEYS[3+2(i-1)], KEYS[4+2(i-1)]  per job i: job hash, lock
  ARGV[1] group  ARGV[2] consumer  ARGV[3] lease (ms)  ARGV[4] kind  ARGV[5] n
  ARGV[6+3(i-1) ..]  per job i: entry id, job id, token

  Returns one reply per job: 'ok' | 'lost' (lease or fence no longer ours: abort the handler) |
  the id of the replacement entry.
]]
local stream, entries = KEYS[1], KEYS[2]
local group, consumer, lease, kind, n = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local out = {}
for i = 1, n do
  local job, lock = KEYS[3 + 2 * (i - 1)], KEYS[4 + 2 * (i - 1)]
  local a = 5 + 3 * (i - 1)
  local eid, jid, token = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  if redis.call('GET', lock) == token and redis.call('HGET', job, 'fence') == token then
    redis.call('PEXPIRE', lock, lease)
    local c = redis.call('XCLAIM', stream, group, consumer, 0, eid, 'JUSTID')
    if #c == 0 then
      local data = redis.call('HGET', job, 'q:' .. kind)
      if data then
        local id = redis.call('XADD', stream, '*', 'data', data)
        redis.call('HDEL', entries, eid)
        redis.call('HSET', entries, id, jid)
        -- `cl` as claim.lua writes it: the entry id and the consumer, one field.
        redis.call('HSET', job, 'cl', id .. ' ' .. consumer)
        out[i] = id
      else
        out[i] = 'ok'
      end
    else
      out[i] = 'ok'
    end
  else
    out[i] = 'lost'
  end
end
return out
