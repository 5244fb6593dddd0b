--[[
  finish: record the outcomes of a batch of jobs (one call per micro-batch of outcomes).

  Fenced: an outcome applies only while the job's `fence` equals the worker's token. The fence is
  the authority for commits (every claim and every user transition moves it); the lock is the
  lease that decides who should run a job. A lock that lapsed or was overwritten by some client
  while the fence stayed put means nobody else holds a valid token, so the commit is still safe.
  Applying bumps the fence, XACKs the entry and stores `done = token`, so a re-send answers
  'applied' and any later write with that token is rejected. Applying also ends the lease (DEL of
  the lock): with the fence equal to the token no other claim holds the job, so the lock is this
  run's, lapsed, or a foreign value no claim honours. Left to expire instead, a lapsed lock per
  job would stay in the keyspace for a lease (lease x jobs/s keys for Redis' active expiry to
  reclaim), and the growing keyspace and expiry table made every command here slower than the
  DEL costs (docs/job-runtime.md, "Latest figures"). The job's
  `q:<kind>` message is left in place (overwritten by the next message of that kind): nothing
  reads it once the stage is done. The event is announced on the job's channel only while
  someone watches the job (`w`, see claim.lua).

  KEYS[1] work stream  KEYS[2] entries index  KEYS[3] dead-letter stream  KEYS[4] delayed zset
  KEYS[5 .. 4+2m]  next-stage pairs (stream, entries index), m = ARGV[5]
  KEYS[5+2m+3(i-1) ..]  per job i: job hash, job events stream, lock

  ARGV[1] group  ARGV[2] now (ms)  ARGV[3] tombstone grace (ms)  ARGV[4] kind  ARGV[5] m
  ARGV[6] n (jobs)  ARGV[7+2(j-1)], ARGV[8+2(j-1)]  group and kind of next-stage stream j
  ARGV[7+2m]  t (templates), then per template (7 args, shared by the jobs of a batch that end
    the same way): op, from (csv), to ('' = unchanged), event type ('' = no event),
    event data (JSON or ''), next index (1..m, 0 = none), arg
  then the job key and the job channel around the job id (4 args, see claim.lua), and '1' when
    the jobs carry a patch and data ('' when every job's are empty)
  then per job i: entry id, token, the template index (1-based) only when t > 1, and
    only when the batch carries them: patch (JSON array field, value, ... or ''), data
    op 'c' complete: data = next-stage envelope; arg '1' when `to` is terminal (expire job keys)
    op 'r' retry:    data = entry data (kept as q:<kind>); arg = due time (ms) in the delayed zset
    op 'f' fail:     data = entry data; arg '1' to also dead-letter the entry
    op 'x' release:  data = entry data, re-added to the stream at once; the attempt is not counted

  A complete's event is appended without MAXLEN (a job completes once per stage; every other
  ending trims: see claim.lua for the bound this keeps on a job's history).

  Returns one code per job: 'applied' | 'stale' (token no longer current: nothing written; acked
  only when the job has left the stage) | 'gone' (job missing: acked).
]]
-- KEYS, ARGV, call, succ, watched, addEvent, expire and ackAll: batch-prelude.lua.
local stream, entries, dead, delayed = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local group, now, grace, kind = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local m, n = tonumber(ARGV[5]), tonumber(ARGV[6])

local nt = tonumber(ARGV[7 + 2 * m])
local templates = {}
for j = 1, nt do
  local b = 7 + 2 * m + 7 * (j - 1)
  local from = {}
  for s in string.gmatch(ARGV[b + 2], '[^,]+') do from[s] = true end
  templates[j] = { op = ARGV[b + 1], from = from, to = ARGV[b + 3], etype = ARGV[b + 4], edata = ARGV[b + 5],
    nextIdx = tonumber(ARGV[b + 6]), arg = ARGV[b + 7] }
end
local b = 7 + 2 * m + 7 * nt
local idOf, channelOf = jobNames(ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4])
local wide = ARGV[b + 5] == '1'
local base = b + 5
-- Per job: entry id, token, then the template index and the patch and data when sent.
local stride = 2
if nt > 1 then stride = stride + 1 end
local pa = stride + 1
if wide then stride = stride + 2 end

-- Acks are collected and sent as one XACK and one HDEL at the end of the batch.
local acks = {}

local function addEntry(s, idx, jid, data, g)
  if call('EXISTS', s) == 0 then redis.pcall('XGROUP', 'CREATE', s, g, '0', 'MKSTREAM') end
  local id = call('XADD', s, '*', 'data', data)
  call('HSET', idx, id, jid)
  return id
end

local out = {}
for i = 1, n do
  local k, a = 1 + 2 * m + 3 * i, base + stride * (i - 1)
  local job = KEYS[k + 1]
  local eid, token = ARGV[a + 1], ARGV[a + 2]
  local t = templates[1]
  if nt > 1 then t = templates[tonumber(ARGV[a + 3])] end
  local from = t.from
  -- Everything the outcome decides on or needs, in one read (the expiry and the attempts only for
  -- the endings that use them: fewer fields, less work per job).
  local h
  if t.op == 'c' and t.arg ~= '1' then
    h = call('HMGET', job, 'status', 'fence', 'w')
  else
    h = call('HMGET', job, 'status', 'fence', 'w', 'expiresAt', 'attempts')
  end
  if not h[1] then
    acks[#acks + 1] = eid
    out[i] = 'gone'
  elseif h[2] ~= token then
    if call('HGET', job, 'done') == token then
      -- A re-send of an outcome already applied (applying moved the fence past the token).
      out[i] = 'applied'
    else
      -- A user transition moved the job on (no new claim holds the entry): the entry is moot.
      if not from[h[1]] then acks[#acks + 1] = eid end
      out[i] = 'stale'
    end
  elseif not from[h[1]] then
    out[i] = 'stale'
  else
    local op, to, etype, edata, nextIdx, arg = t.op, t.to, t.etype, t.edata, t.nextIdx, t.arg
    local patch, data = '', ''
    if wide then patch, data = ARGV[a + pa], ARGV[a + pa + 1] end
    local events = KEYS[k + 2]
    acks[#acks + 1] = eid
    call('DEL', KEYS[k + 3])
    local st = to
    if st == '' then st = h[1] end
    -- fence+1: the finished run's token is stale from here on.
    local fence = succ(token)
    if op == 'c' and nextIdx == 0 and patch == '' then
      -- The common ending, without building an argument table.
      call('HSET', job, 'status', st, 'updatedAt', now, 'done', token, 'fence', fence, 'attempts', '0')
    else
      local f = { 'HSET', job, 'status', st, 'updatedAt', now, 'done', token, 'fence', fence }
      if op == 'r' then
        f[#f + 1] = 'q:' .. kind; f[#f + 1] = data
      elseif op == 'x' then
        f[#f + 1] = 'attempts'; f[#f + 1] = tostring(math.max(0, tonumber(h[5] or '1') - 1))
      else
        if op == 'c' then
          f[#f + 1] = 'attempts'; f[#f + 1] = '0'
          if nextIdx > 0 then f[#f + 1] = 'q:' .. ARGV[6 + 2 * nextIdx]; f[#f + 1] = data end
        end
        if patch ~= '' then
          for _, v in ipairs(cjson.decode(patch)) do f[#f + 1] = v end
        end
      end
      call(unpack(f))
    end
    if etype ~= '' then
      local id
      if edata ~= '' then
        id = addEvent(events, op ~= 'c', 'type', etype, 'status', st, 'data', edata)
      else
        id = addEvent(events, op ~= 'c', 'type', etype, 'status', st)
      end
      if watched(h[3]) then call('PUBLISH', channelOf(job), id) end
    end
    if op == 'c' then
      if nextIdx > 0 then
        addEntry(KEYS[3 + 2 * nextIdx], KEYS[4 + 2 * nextIdx], idOf(job), data, ARGV[5 + 2 * nextIdx])
      end
      if arg == '1' then expire(job, events, h[4], now, grace) end
    elseif op == 'r' then
      call('ZADD', delayed, arg, idOf(job))
    elseif op == 'x' then
      addEntry(stream, entries, idOf(job), data, group)
    elseif op == 'f' then
      if arg == '1' then
        call('XADD', dead, 'MAXLEN', '~', '100000', '*', 'stream', stream, 'entry', eid, 'job', idOf(job),
          'reason', edata, 'data', data)
      end
      expire(job, events, h[4], now, grace)
    end
    out[i] = 'applied'
  end
end
ackAll(stream, group, entries, acks)
return out
