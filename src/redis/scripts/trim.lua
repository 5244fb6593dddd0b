--[[
  trim: drop acked entries from a work stream without dropping any unacked one, and forget
  consumers that left nothing pending and have been idle for long.

  MINID = min over groups of (oldest pending id, or the id just after last-delivered-id when
  nothing is pending): everything older is delivered and acked. A stream without groups is left
  alone (a group created later at id 0 must still see every entry).

  KEYS[1] work stream
  ARGV[1] idle time (ms) after which a consumer with no pending entries is deleted

  Returns {entries trimmed, consumers deleted}, or {0, 0} when the stream or its groups are missing.
]]
local stream = KEYS[1]
local idleMax = tonumber(ARGV[1])
if redis.call('EXISTS', stream) == 0 then return { 0, 0 } end

local function tomap(flat)
  local m = {}
  for j = 1, #flat, 2 do m[flat[j]] = flat[j + 1] end
  return m
end

local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end

local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end

local groups = redis.call('XINFO', 'GROUPS', stream)
if #groups == 0 then return { 0, 0 } end
local minid, removed = nil, 0
for _, g in ipairs(groups) do
  local info = tomap(g)
  local name = info['name']
  local p = redis.call('XPENDING', stream, name)
  local cand
  if tonumber(p[1]) > 0 then
    cand = p[2]
  else
    local ms, seq = parse(info['last-delivered-id'])
    cand = string.format('%.0f-%.0f', ms, seq + 1)
  end
  if minid == nil or less(cand, minid) then minid = cand end
  for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', stream, name)) do
    local ci = tomap(c)
    if tonumber(ci['pending']) == 0 and tonumber(ci['idle']) > idleMax then
      redis.call('XGROUP', 'DELCONSUMER', stream, name, ci['name'])
      removed = removed + 1
    end
  end
end
return { redis.call('XTRIM', stream, 'MINID', minid), removed }
