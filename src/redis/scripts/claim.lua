--[[
  claim: take a batch of delivered stream entries (one call per read or reclaim batch).

  For each entry: job missing or past this stage -> XACK (a duplicate or stale delivery changes
  nothing); lease live under the current token -> leave pending; attempts >= max -> dead-letter,
  job `failed`, XACK; else attempts+1, fence+1 (the new token, written in the same HSET as the
  status), SET lock token PX lease, status -> the stage's running status, start event.

  KEYS[1]  work stream
  KEYS[2]  entries index (hash entryId -> jobId)
  KEYS[3]  dead-letter stream
  KEYS[4+4(i-1) .. 7+4(i-1)]  per entry i: job hash, lock, job events stream, job channel

  ARGV[1] group  ARGV[2] consumer  ARGV[3] now (ms)  ARGV[4] lease (ms)  ARGV[5] max attempts
  ARGV[6] tombstone grace (ms)  ARGV[7] n (entries)  ARGV[8] f (record fields)
  ARGV[9 .. 8+f]  the job record's field names (their values are returned, in this order; they
             must include status, fence and attempts, which the claim reads from the same HMGET)
  ARGV[9+f]  r (routes), then per route j (3 args): expected statuses (csv), running status
             ('' = status unchanged while running), start event type
  then per entry i (3 args): entry id, job id, route index (1-based)

  Returns one reply per entry:
    {'claimed', token, attempt, record}  run it; a re-send returns the same token. `record` is
        the values of the record fields as read BEFORE the claim, joined with NUL ('' for a missing
        field): the caller applies the claim's own changes (status, fence, attempts, updatedAt).
    {'busy'}   another holder's lease is live: left pending, the reclaimer looks again later
    {'stale'}  job missing or past this stage: acked, nothing changed
    {'dead'}   deliveries exhausted: dead-lettered, job failed, acked
]]
local stream, entries, dead = KEYS[1], KEYS[2], KEYS[3]
local group, consumer, now, lease = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local maxAttempts, grace, n, nf = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
-- One HMGET per entry reads the record and what the claim decides on (status, fence, attempts,
-- and the claimer fields of a possible re-send).
local fields, at = {}, {}
for j = 1, nf do
  fields[j] = ARGV[8 + j]
  at[fields[j]] = j
end
fields[nf + 1] = 'ce'
fields[nf + 2] = 'cb'
local iStatus, iFence, iAttempts = at['status'], at['fence'], at['attempts']
local nr = tonumber(ARGV[9 + nf])
local routes = {}
for j = 1, nr do
  local b = 9 + nf + 3 * (j - 1)
  local set = {}
  for s in string.gmatch(ARGV[b + 1], '[^,]+') do set[s] = true end
  routes[j] = { expect = set, running = ARGV[b + 2], start = ARGV[b + 3] }
end
local base = 9 + nf + 3 * nr

local function ack(eid)
  redis.call('XACK', stream, group, eid)
  redis.call('HDEL', entries, eid)
end

local function joined(v)
  local r = {}
  for j = 1, nf do r[j] = v[j] or '' end
  return table.concat(r, '\0')
end

local out = {}
for i = 1, n do
  local k, a = 3 + 4 * (i - 1), base + 3 * (i - 1)
  local job, lock, events, chan = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
  local eid, jid, route = ARGV[a + 1], ARGV[a + 2], routes[tonumber(ARGV[a + 3])]
  local running = route.running
  local v = redis.call('HMGET', job, unpack(fields))
  local status, fence, attemptsRaw = v[iStatus], v[iFence], v[iAttempts]
  local verdict = 'claim'
  if not status then
    verdict = 'stale'
  elseif running ~= '' and status == running or running == '' and route.expect[status] then
    -- A lease may be live only while the job shows the stage running (or keeps its status).
    local holder = redis.call('GET', lock)
    if holder and holder == fence then
      -- Re-sent claim (reply lost on a reconnect): same token, nothing written twice.
      if v[nf + 1] == eid and v[nf + 2] == consumer then verdict = 'again' else verdict = 'busy' end
    end
  elseif not route.expect[status] then
    verdict = 'stale'
  end
  if verdict == 'stale' then
    ack(eid)
    out[i] = { 'stale' }
  elseif verdict == 'busy' then
    out[i] = { 'busy' }
  elseif verdict == 'again' then
    out[i] = { 'claimed', fence, attemptsRaw, joined(v) }
  else
    local attempts = tonumber(attemptsRaw or '0')
    if attempts >= maxAttempts then
      local e = redis.call('XRANGE', stream, eid, eid)
      local data = ''
      if e[1] then data = e[1][2][2] end
      local reason = 'gave up after ' .. attempts .. ' deliveries without an outcome'
      redis.call('XADD', dead, 'MAXLEN', '~', '100000', '*', 'stream', stream, 'entry', eid, 'job', jid,
        'reason', reason, 'data', data)
      local err = cjson.encode({ code = 'max_attempts_exceeded', message = reason })
      redis.call('HSET', job, 'status', 'failed', 'error', err, 'updatedAt', now, 'fence', tostring(tonumber(fence or '0') + 1))
      redis.call('DEL', lock)
      redis.call('PUBLISH', chan, redis.call('XADD', events, 'MAXLEN', '~', '2000', '*', 'type', 'failed', 'at', now,
        'status', 'failed', 'data', err))
      ack(eid)
      local at = string.format('%.0f', math.max(tonumber(redis.call('HGET', job, 'expiresAt') or now), tonumber(now)) + grace)
      redis.call('PEXPIREAT', job, at)
      redis.call('PEXPIREAT', events, at)
      out[i] = { 'dead' }
    else
      local token = tostring(tonumber(fence or '0') + 1)
      redis.call('SET', lock, token, 'PX', lease)
      local st = status
      if running ~= '' then st = running end
      redis.call('HSET', job, 'fence', token, 'status', st, 'attempts', attempts + 1, 'ce', eid, 'cb', consumer, 'updatedAt', now)
      redis.call('PUBLISH', chan, redis.call('XADD', events, 'MAXLEN', '~', '2000', '*', 'type', route.start, 'at', now,
        'status', st, 'data', '{"attempt":' .. (attempts + 1) .. '}'))
      out[i] = { 'claimed', token, tostring(attempts + 1), joined(v) }
    end
  end
end
return out
