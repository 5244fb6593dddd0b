--[[
  create: write a new job, its `created` event, the account index entry and an outbox mark.

  The enqueue script (or the outbox sweeper, if this process dies first) then adds the message.

  KEYS[1] job hash  KEYS[2] job events stream  KEYS[3] job channel  KEYS[4] account jobs zset
  KEYS[5] outbox zset  KEYS[6] expiry zset
  ARGV[1] job id  ARGV[2] now (ms)  ARGV[3] expires at (ms)  ARGV[4] stage kind
  ARGV[5] stage envelope (JSON)  ARGV[6] created event data (JSON)
  ARGV[7 ..] job fields: field, value, ...

  Returns 1 when created, 0 when the job already existed (a re-send or a duplicate id).
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'q:' .. ARGV[4], ARGV[5], 'ob', ARGV[4], unpack(ARGV, 7))
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', '2000', '*', 'type', 'created', 'at', ARGV[2],
  'status', 'queued', 'data', ARGV[6])
redis.call('PUBLISH', KEYS[3], id)
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[6], ARGV[3], ARGV[1])
return 1
