--[[
  ledger: apply one balance change and append its ledger entry, exactly once per idempotency key.

  The balance (a field of the account hash) and the ledger (an append-only stream) change in this
  one step, so they can never disagree; the idempotency index makes a re-sent or retried change a
  replay that writes nothing (ioredis re-sends a script whose reply was lost on a reconnect).

  KEYS[1] account hash (field `balance`, fen)  KEYS[2] ledger stream  KEYS[3] idempotency index
  (hash idempotency key → entry id); all three share the account's hash tag.
  ARGV[1] idempotency key  ARGV[2] delta (fen, integer, non-zero; negative = debit)
  ARGV[3] kind (topup | deduct | job_payment | refund | credit)  ARGV[4] reference (order or job id, or '')
  ARGV[5] now (ms)  ARGV[6] account id

  Returns { 'applied', entryId, balance, delta } for a new entry,
          { 'replayed', entryId, balance now, delta of the stored entry } when the key was used,
          { 'insufficient', '', balance, delta } when a debit would make the balance negative.
]]
local acct, ledger, idem = KEYS[1], KEYS[2], KEYS[3]
local key, delta = ARGV[1], tonumber(ARGV[2])
local bal = tonumber(redis.call('HGET', acct, 'balance') or '0')
local prior = redis.call('HGET', idem, key)
if prior then
  local e = redis.call('XRANGE', ledger, prior, prior)
  local d = ''
  if e[1] then
    local f = e[1][2]
    for i = 1, #f, 2 do if f[i] == 'delta' then d = f[i + 1] end end
  end
  return { 'replayed', prior, tostring(bal), d }
end
if delta < 0 and bal + delta < 0 then return { 'insufficient', '', tostring(bal), ARGV[2] } end
local after = bal + delta
local id = redis.call('XADD', ledger, '*', 'key', key, 'delta', ARGV[2], 'kind', ARGV[3], 'ref', ARGV[4],
  'at', ARGV[5], 'balance', string.format('%d', after))
redis.call('HSET', acct, 'balance', string.format('%d', after), 'id', ARGV[6])
redis.call('HSET', idem, key, id)
return { 'applied', id, string.format('%d', after), ARGV[2] }
