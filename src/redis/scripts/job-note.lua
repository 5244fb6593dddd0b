--[[
  job-note: append an event to an existing job's history without changing its state, once per
  marker (e.g. `refunded` after a refund went through). Unlike a transition it leaves the fence
  and the lock alone, so a worker running the job (an export) is not disturbed.

  The marker is a field of the job hash written with HSETNX: a repeated note (a retried sweep, two
  replicas) appends nothing. The event has the shape transition.lua writes (type, at, status =
  the job's current status, data) and is announced on the job's channel for live SSE.

  KEYS[1] job hash  KEYS[2] job events stream  KEYS[3] job channel
  ARGV[1] marker field  ARGV[2] event type  ARGV[3] now (ms)  ARGV[4] event data (JSON or '')

  Returns the event id when appended, false when the job is missing or the marker was set.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 0 then return false end
local ev = { 'XADD', KEYS[2], 'MAXLEN', '~', '2000', '*', 'type', ARGV[2], 'at', ARGV[3], 'status', status }
if ARGV[4] ~= '' then ev[#ev + 1] = 'data'; ev[#ev + 1] = ARGV[4] end
local id = redis.call(unpack(ev))
redis.call('PUBLISH', KEYS[3], id)
return id
