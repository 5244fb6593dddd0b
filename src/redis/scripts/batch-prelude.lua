--[[
  batch-prelude: the helpers claim.lua and finish.lua share. It is not a script of its own: the
  script loader puts it in front of each of the two (src/redis/script-loader.ts), so the two
  batched scripts cannot drift apart in how they count, announce, append or acknowledge.
]]
-- Globals and table fields cost a lookup per use: the per-job loops use locals.
local KEYS, ARGV, call = KEYS, ARGV, redis.call

-- Counters (fence, attempts) are small decimal strings. Lua turns a number into a string with
-- sprintf('%.14g') and a string into a number with strtod (twice per tonumber), which cost Redis
-- more than most commands here; the jobs of a batch mostly share these values, so each
-- successor is computed once per call and value and remembered.
local succs = {}
local function succ(s)
  local r = succs[s]
  if not r then
    r = tostring(tonumber(s) + 1)
    succs[s] = r
  end
  return r
end

-- Whether someone watches the job (its `w` mark lies ahead of Redis' own clock; see
-- docs/job-runtime.md). The clock is read at most once per call, and only for a marked job.
local clock
local function watched(w)
  if not w then return false end
  if not clock then
    local t = call('TIME')
    clock = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return tonumber(w) > clock
end

-- A job's id and channel from its key. The key and the channel are the id between two fixed parts
-- (keys.jobParts(), keys.jobChannelParts(), sent once per call): the common path needs neither,
-- so no job id travels per job.
local function jobNames(keyBefore, keyAfter, chanBefore, chanAfter)
  local from, cut = #keyBefore + 1, #keyAfter
  local function idOf(job) return string.sub(job, from, #job - cut) end
  return idOf, function(job) return chanBefore .. idOf(job) .. chanAfter end
end

-- Appends an event to a job's history (no `at`: the entry id is Redis' clock at the append, which
-- the reader uses: src/jobs/events.ts); `trim` caps the history near 2000 events (claim.lua says
-- why the start and complete events need not).
local function addEvent(events, trim, ...)
  if trim then return call('XADD', events, 'MAXLEN', '~', '2000', '*', ...) end
  return call('XADD', events, '*', ...)
end

-- A terminal job's keys expire once its retention (`expiresAt`, never before now) and the
-- tombstone grace have passed.
local function expire(job, events, expiresAt, now, grace)
  local at = string.format('%.0f', math.max(tonumber(expiresAt or now), tonumber(now)) + grace)
  call('PEXPIREAT', job, at)
  call('PEXPIREAT', events, at)
end

-- The batch's acks: one XACK, and one HDEL of the entries index.
local function ackAll(stream, group, entries, acks)
  if #acks > 0 then
    call('XACK', stream, group, unpack(acks))
    call('HDEL', entries, unpack(acks))
  end
end
