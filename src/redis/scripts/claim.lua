--[[
  claim: take a batch of delivered stream entries (one call per read or reclaim batch).

  For each entry: job missing or past this stage -> XACK (a duplicate or stale delivery changes
  nothing); lease live under the current token -> leave pending; attempts >= max -> dead-letter,
  job `failed`, XACK; else attempts+1, fence+1 (the new token, written in the same HSET as the
  status), SET lock token PX lease, status -> the stage's running status, start event (announced
  on the job's channel while someone watches the job: see `w` in docs/job-runtime.md).

  KEYS[1]  work stream
  KEYS[2]  entries index (hash entryId -> jobId)
  KEYS[3]  dead-letter stream
  KEYS[4+3(i-1) .. 6+3(i-1)]  per entry i: job hash, lock, job events stream

  ARGV[1] group  ARGV[2] consumer  ARGV[3] now (ms)  ARGV[4] lease (ms)  ARGV[5] max attempts
  ARGV[6] tombstone grace (ms)  ARGV[7] n (entries)  ARGV[8] f (record fields)
  ARGV[9 .. 8+f]  the job record's field names (returned, in this order, for routes that want it)
  ARGV[9+f]  r (routes), then per route j (4 args): expected statuses (csv), running status
             ('' = status unchanged while running), start event type, '1' to return the record
  then the job key and the job channel around the job id (4 args: key before, key after, channel
    before, after: the id is read off the job key, and a channel built, only where needed)
  then per entry i: entry id, and the route index (1-based) only when r > 1

  Every argument costs Redis about a thousand instructions (parsed, then interned as a Lua
  string), about as much as a field of an HSET: per-entry arguments are kept to what varies.

  The start event is appended without MAXLEN: every claim either ends in a finish whose event
  trims (all endings but a complete, and a job completes once per stage), or is followed by
  another claim of a later delivery (at most max attempts of them before the dead-letter, which
  trims). So a job's history stays within 2000 events plus its stages and max attempts.

  Returns a flat array, 4 values per entry: code, token, attempt, record.
    'claimed', token, attempt, record  run it; a re-send returns the same token. `record` ('' when
        the route does not want it) is the values of the record fields as read BEFORE the claim,
        joined with NUL ('' for a missing field): the caller applies the claim's own changes.
    'busy'   another holder's lease is live: left pending, the reclaimer looks again later
    'stale'  job missing or past this stage: acked, nothing changed
    'dead'   deliveries exhausted: dead-lettered, job failed, acked
    (token, attempt and record are '' unless claimed)
]]
-- KEYS, ARGV, call, succ, watched, addEvent, expire and ackAll: batch-prelude.lua.
local stream, entries, dead = KEYS[1], KEYS[2], KEYS[3]
local group, consumer, now, lease = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local maxAttempts, grace, n, nf = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])

-- Whether an attempts count has used up the deliveries, decided once per call and value (number
-- conversions cost more than most commands: see succ). A route index is converted per entry, but
-- only in the rare batch that mixes routes.
local exhaustedAt = {}

-- What the claim decides on comes first in every HMGET; a route that wants the record reads the
-- record fields after it in the same call. The last claim (`cl`: its entry id and consumer, one
-- field) is read only for a job whose lease is live (a re-sent claim or a busy job).
local full = { 'status', 'fence', 'attempts', 'w' }
for j = 1, nf do full[4 + j] = ARGV[8 + j] end

local nr = tonumber(ARGV[9 + nf])
local routes = {}
for j = 1, nr do
  local b = 9 + nf + 4 * (j - 1)
  local set = {}
  for s in string.gmatch(ARGV[b + 1], '[^,]+') do set[s] = true end
  routes[j] = { expect = set, running = ARGV[b + 2], start = ARGV[b + 3], record = ARGV[b + 4] == '1' }
end
local nb = 9 + nf + 4 * nr
local idOf, channelOf = jobNames(ARGV[nb + 1], ARGV[nb + 2], ARGV[nb + 3], ARGV[nb + 4])
local base = nb + 4
-- Per entry: entry id (and the route index when there is more than one route).
local stride = 1
if nr > 1 then stride = 2 end

local acks = {}
local function joined(v)
  local r = {}
  for j = 1, nf do r[j] = v[4 + j] or '' end
  return table.concat(r, '\0')
end

-- The start event's data, built once per attempt number in a call.
local startDatas = {}
local function startData(attempt)
  local d = startDatas[attempt]
  if not d then
    d = '{"attempt":' .. attempt .. '}'
    startDatas[attempt] = d
  end
  return d
end

local out = {}
for i = 1, n do
  local k, a, o = 3 * i, base + stride * (i - 1), 4 * (i - 1)
  local job = KEYS[k + 1]
  local eid = ARGV[a + 1]
  local route = routes[1]
  if nr > 1 then route = routes[tonumber(ARGV[a + 2])] end
  local running = route.running
  local v
  if route.record then v = call('HMGET', job, unpack(full)) else v = call('HMGET', job, 'status', 'fence', 'attempts', 'w') end
  local status, fence = v[1], v[2]
  local code, token, attempt, record = 'claimed', '', '', ''
  if not status then
    code = 'stale'
  elseif running ~= '' and status == running or running == '' and route.expect[status] then
    -- A lease may be live only while the job shows the stage running (or keeps its status).
    local holder = call('GET', KEYS[k + 2])
    if holder and holder == fence then
      -- Re-sent claim (reply lost on a reconnect): same token, nothing written twice.
      if call('HGET', job, 'cl') == eid .. ' ' .. consumer then
        token, attempt = fence, v[3]
        if route.record then record = joined(v) end
      else
        code = 'busy'
      end
    end
  elseif not route.expect[status] then
    code = 'stale'
  end
  if code == 'stale' then
    acks[#acks + 1] = eid
  elseif code == 'claimed' and token == '' then
    local attempts = v[3] or '0'
    local events = KEYS[k + 3]
    local exhausted = exhaustedAt[attempts]
    if exhausted == nil then
      exhausted = tonumber(attempts) >= maxAttempts
      exhaustedAt[attempts] = exhausted
    end
    if exhausted then
      local e = call('XRANGE', stream, eid, eid)
      local data = ''
      if e[1] then data = e[1][2][2] end
      local reason = 'gave up after ' .. attempts .. ' deliveries without an outcome'
      call('XADD', dead, 'MAXLEN', '~', '100000', '*', 'stream', stream, 'entry', eid, 'job', idOf(job),
        'reason', reason, 'data', data)
      local err = cjson.encode({ code = 'max_attempts_exceeded', message = reason })
      call('HSET', job, 'status', 'failed', 'error', err, 'updatedAt', now, 'fence', succ(fence or '0'))
      call('DEL', KEYS[k + 2])
      local id = addEvent(events, true, 'type', 'failed', 'status', 'failed', 'data', err)
      if watched(v[4]) then call('PUBLISH', channelOf(job), id) end
      acks[#acks + 1] = eid
      expire(job, events, call('HGET', job, 'expiresAt'), now, grace)
      code = 'dead'
    else
      token, attempt = succ(fence or '0'), succ(attempts)
      call('SET', KEYS[k + 2], token, 'PX', lease)
      local st = status
      if running ~= '' then st = running end
      call('HSET', job, 'fence', token, 'status', st, 'attempts', attempt, 'cl', eid .. ' ' .. consumer, 'updatedAt', now)
      local id = addEvent(events, false, 'type', route.start, 'status', st, 'data', startData(attempt))
      if watched(v[4]) then call('PUBLISH', channelOf(job), id) end
      if route.record then record = joined(v) end
    end
  end
  out[o + 1], out[o + 2], out[o + 3], out[o + 4] = code, token, attempt, record
end
ackAll(stream, group, entries, acks)
return out
