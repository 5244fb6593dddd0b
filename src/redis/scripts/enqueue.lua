--[[
  enqueue: move a created job's outbox mark into its stage stream (the outbox relay step).

  A no-op when the mark is gone (already enqueued, by the creator or by a sweeper). Creates the
  consumer group at id 0 when the stream does not exist yet, so a group can never start past
  entries written before any consumer ran.

  KEYS[1] job hash  KEYS[2] outbox zset  KEYS[3] stage stream  KEYS[4] stage entries index
  ARGV[1] job id  ARGV[2] stage kind  ARGV[3] group

  Returns the new entry id, or false when there was nothing to enqueue.
]]
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return false end
redis.call('ZREM', KEYS[2], ARGV[1])
local data = redis.call('HGET', KEYS[1], 'q:' .. ARGV[2])
if not data then return false end
if redis.call('EXISTS', KEYS[3]) == 0 then redis.pcall('XGROUP', 'CREATE', KEYS[3], ARGV[3], '0', 'MKSTREAM') end
local id = redis.call('XADD', KEYS[3], '*', 'data', data)
redis.call('HSET', KEYS[4], id, ARGV[1])
redis.call('HDEL', KEYS[1], 'ob')
return id
