--[[
  claim: take a batch of delivered stream entries (one call per XREADGROUP or XAUTOCLAIM batch).

  For each entry: job missing or past this stage -> XACK (a duplicate or stale delivery changes
  nothing); lease live under the current token -> leave pending; attempts >= max -> dead-letter,
  job `failed`, XACK; else attempts+1, fence = HINCRBY, SET lock token PX lease, status -> the
  stage's running status, start event.

  KEYS[1]  work stream
  KEYS[2]  entries index (hash entryId -> jobId)
  KEYS[3]  dead-letter stream
  KEYS[4+4(i-1) .. 7+4(i-1)]  per entry i: job hash, lock, job events stream, job channel

  ARGV[1] group  ARGV[2] consumer  ARGV[3] now (ms)  ARGV[4] lease (ms)  ARGV[5] max attempts
  ARGV[6] tombstone grace (ms)  ARGV[7] n (entries)  ARGV[8] f (record fields)
  ARGV[9 .. 8+f]  the job record's field names (their values are returned, in this order)
  ARGV[9+f+5(i-1) ..]  per entry i: entry id, job id, expected statuses (csv),
                     running status ('' = status unchanged while running), start event type

  Returns one reply per entry:
    {'claimed', token, attempt, {values of the record fields}}  run it; a re-send returns the same token
    {'busy'}   another holder's lease is live: left pending, the reclaimer looks again later
    {'stale'}  job missing or past this stage: acked, nothing changed
    {'dead'}   deliveries exhausted: dead-lettered, job failed, acked
]]
local stream, entries, dead = KEYS[1], KEYS[2], KEYS[3]
local group, consumer, now, lease = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local maxAttempts, grace, n, nf = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local fields = {}
for j = 1, nf do fields[j] = ARGV[8 + j] end

local function inset(csv, v)
  return v ~= nil and string.find(',' .. csv .. ',', ',' .. v .. ',', 1, true) ~= nil
end

local function emit(events, chan, etype, status, data)
  local id = redis.call('XADD', events, 'MAXLEN', '~', '2000', '*', 'type', etype, 'at', now, 'status', status, 'data', data)
  redis.call('PUBLISH', chan, id)
end

local function ack(eid)
  redis.call('XACK', stream, group, eid)
  redis.call('HDEL', entries, eid)
end

local out = {}
for i = 1, n do
  local k, a = 3 + 4 * (i - 1), 8 + nf + 5 * (i - 1)
  local job, lock, events, chan = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
  local eid, jid, expect, running, startType = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local h = redis.call('HMGET', job, 'status', 'fence', 'attempts', 'ce', 'cb', 'expiresAt')
  local status, fence = h[1], h[2]
  local holder = redis.call('GET', lock)
  if not status then
    ack(eid)
    out[i] = { 'stale' }
  elseif h[4] == eid and h[5] == consumer and holder == fence and (running == '' or status == running) then
    -- Re-sent claim (reply lost on a reconnect): same token, nothing written twice.
    out[i] = { 'claimed', fence, h[3], redis.call('HMGET', job, unpack(fields)) }
  elseif not (inset(expect, status) or (running ~= '' and status == running)) then
    ack(eid)
    out[i] = { 'stale' }
  elseif holder and holder == fence then
    out[i] = { 'busy' }
  else
    local attempts = tonumber(h[3] or '0')
    if attempts >= maxAttempts then
      local e = redis.call('XRANGE', stream, eid, eid)
      local data = ''
      if e[1] then data = e[1][2][2] end
      local reason = 'gave up after ' .. attempts .. ' deliveries without an outcome'
      redis.call('XADD', dead, 'MAXLEN', '~', '100000', '*', 'stream', stream, 'entry', eid, 'job', jid,
        'reason', reason, 'data', data)
      local err = cjson.encode({ code = 'max_attempts_exceeded', message = reason })
      redis.call('HINCRBY', job, 'fence', 1)
      redis.call('HSET', job, 'status', 'failed', 'error', err, 'updatedAt', now)
      redis.call('DEL', lock)
      emit(events, chan, 'failed', 'failed', err)
      ack(eid)
      local at = math.max(tonumber(h[6] or now), tonumber(now)) + grace
      redis.call('PEXPIREAT', job, string.format('%.0f', at))
      redis.call('PEXPIREAT', events, string.format('%.0f', at))
      out[i] = { 'dead' }
    else
      local token = redis.call('HINCRBY', job, 'fence', 1)
      redis.call('SET', lock, token, 'PX', lease)
      local st = status
      if running ~= '' then st = running end
      redis.call('HSET', job, 'status', st, 'attempts', attempts + 1, 'ce', eid, 'cb', consumer, 'updatedAt', now)
      emit(events, chan, startType, st, '{"attempt":' .. (attempts + 1) .. '}')
      out[i] = { 'claimed', tostring(token), tostring(attempts + 1), redis.call('HMGET', job, unpack(fields)) }
    end
  end
end
return out
