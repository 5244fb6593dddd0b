--[[
  order-transition: compare-and-set a payment order's status, with its index moves, in one step.

  Our record of a payment order (job or top-up) is a hash; the open and paid indexes are the
  sorted sets the payment worker sweeps (reconcile, close, refund). A transition that finds the
  order in another status writes nothing, so a duplicate notification or a racing reconciler
  can never mark an order paid twice.

  KEYS[1] order hash  KEYS[2] open orders zset  KEYS[3] paid orders zset
  ARGV[1] from (csv)  ARGV[2] to  ARGV[3] now (ms)  ARGV[4..] field, value pairs to set

  Returns 1 when applied, 0 when the order is missing or not in an expected status.
]]
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return 0 end
if not string.find(',' .. ARGV[1] .. ',', ',' .. cur .. ',', 1, true) then return 0 end
local f = { 'HSET', KEYS[1], 'status', ARGV[2], 'updatedAt', ARGV[3] }
for i = 4, #ARGV do f[#f + 1] = ARGV[i] end
redis.call(unpack(f))
local id = redis.call('HGET', KEYS[1], 'orderId')
if ARGV[2] ~= 'open' then redis.call('ZREM', KEYS[2], id) end
if ARGV[2] == 'paid' then redis.call('ZADD', KEYS[3], ARGV[3], id) else redis.call('ZREM', KEYS[3], id) end
return 1
