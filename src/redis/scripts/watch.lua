--[[
  watch: mark a job as watched (someone follows its live events) until now + ttl, by Redis' own
  clock. claim.lua and finish.lua announce a job's events on its channel only while it is
  watched, so the per-job PUBLISH is skipped for jobs nobody follows.

  KEYS[1] job hash
  ARGV[1] ttl (ms)

  Returns 1 when marked, 0 when the job does not exist (nothing written: no key is created).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local t = redis.call('TIME')
local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
-- Never shorten another follower's mark.
if deadline > tonumber(redis.call('HGET', KEYS[1], 'w') or '0') then
  redis.call('HSET', KEYS[1], 'w', string.format('%.0f', deadline))
end
return 1
