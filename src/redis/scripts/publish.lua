--[[
  publish: append a message for an existing job to a work stream, without a state change (e.g. a
  verified payment notification handed to the payment worker). The message is also kept as the
  job's `q:<kind>` so a deleted entry can be rebuilt.

  KEYS[1] job hash  KEYS[2] work stream  KEYS[3] entries index
  ARGV[1] job id  ARGV[2] kind  ARGV[3] group  ARGV[4] envelope (JSON)

  Returns the new entry id, or false when the job does not exist.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'q:' .. ARGV[2], ARGV[4])
if redis.call('EXISTS', KEYS[2]) == 0 then redis.pcall('XGROUP', 'CREATE', KEYS[2], ARGV[3], '0', 'MKSTREAM') end
local id = redis.call('XADD', KEYS[2], '*', 'data', ARGV[4])
redis.call('HSET', KEYS[3], id, ARGV[1])
return id
