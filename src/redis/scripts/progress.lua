--[[
  progress: fenced progress update of one running job, with an optional progress event.

  KEYS[1] job hash  KEYS[2] lock  KEYS[3] job events stream  KEYS[4] job channel
  ARGV[1] token  ARGV[2] progress (0-100)  ARGV[3] now (ms)  ARGV[4] '1' to append a progress event
  ARGV[5] event data (JSON)

  Returns 1 when written, 0 when the token is no longer current (the caller must stop).
]]
local holder = redis.call('GET', KEYS[2])
if redis.call('HGET', KEYS[1], 'fence') ~= ARGV[1] or (holder and holder ~= ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'progress', ARGV[2], 'updatedAt', ARGV[3])
if ARGV[4] == '1' then
  local status = redis.call('HGET', KEYS[1], 'status')
  local id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', '2000', '*', 'type', 'progress', 'at', ARGV[3],
    'status', status, 'data', ARGV[5])
  redis.call('PUBLISH', KEYS[4], id)
end
return 1
