--[[
  transition: compare-and-set a job from one of the expected statuses to a new one, with its
  event and an optional next-stage message (user-facing transitions: cancel, paid, expired...).

  Bumps the fence and deletes the lock, so a worker still running on the job has its late writes
  rejected. A re-send with the same transition id answers 1 without writing again.

  KEYS[1] job hash  KEYS[2] lock  KEYS[3] job events stream  KEYS[4] job channel
  KEYS[5] next-stage stream, KEYS[6] its entries index (only with a next stage)
  ARGV[1] transition id  ARGV[2] from (csv)  ARGV[3] to  ARGV[4] now (ms)
  ARGV[5] patch (JSON array field, value, ... or '')  ARGV[6] event type  ARGV[7] event data (JSON or '')
  ARGV[8] '1' when `to` is terminal  ARGV[9] tombstone grace (ms)
  ARGV[10] next-stage envelope (JSON or '')  ARGV[11] next kind  ARGV[12] next group  ARGV[13] job id

  Returns 1 when applied, 0 when the job is missing or not in an expected status.
]]
local job = KEYS[1]
local h = redis.call('HMGET', job, 'status', 'lt', 'expiresAt')
if not h[1] then return 0 end
if h[2] == ARGV[1] then return 1 end
if not string.find(',' .. ARGV[2] .. ',', ',' .. h[1] .. ',', 1, true) then return 0 end
local now = ARGV[4]
local f = { 'HSET', job, 'status', ARGV[3], 'updatedAt', now, 'lt', ARGV[1] }
if ARGV[5] ~= '' then
  for _, v in ipairs(cjson.decode(ARGV[5])) do f[#f + 1] = v end
end
if ARGV[10] ~= '' then
  f[#f + 1] = 'q:' .. ARGV[11]; f[#f + 1] = ARGV[10]
  f[#f + 1] = 'attempts'; f[#f + 1] = '0'
end
redis.call(unpack(f))
redis.call('HINCRBY', job, 'fence', 1)
redis.call('DEL', KEYS[2])
local ev = { 'XADD', KEYS[3], 'MAXLEN', '~', '2000', '*', 'type', ARGV[6], 'at', now, 'status', ARGV[3] }
if ARGV[7] ~= '' then ev[#ev + 1] = 'data'; ev[#ev + 1] = ARGV[7] end
redis.call('PUBLISH', KEYS[4], redis.call(unpack(ev)))
if ARGV[10] ~= '' then
  if redis.call('EXISTS', KEYS[5]) == 0 then redis.pcall('XGROUP', 'CREATE', KEYS[5], ARGV[12], '0', 'MKSTREAM') end
  local id = redis.call('XADD', KEYS[5], '*', 'data', ARGV[10])
  redis.call('HSET', KEYS[6], id, ARGV[13])
end
if ARGV[8] == '1' then
  local at = string.format('%.0f', math.max(tonumber(h[3] or now), tonumber(now)) + tonumber(ARGV[9]))
  redis.call('PEXPIREAT', job, at)
  redis.call('PEXPIREAT', KEYS[3], at)
end
return 1
