--[[
ceiling-sadd-rpush: the least a coalescing step can do per item (remember it in a SET, append
it to a LIST), so the benchmark can compare the real pipeline with what Redis itself allows
on this machine. Scratch keys only; the benchmark deletes them.

KEYS[1] scratch SET    KEYS[2] scratch LIST
ARGV[1..] items
Returns the number of items handled.
]]
for i = 1, #ARGV do
  redis.call('SADD', KEYS[1], ARGV[i])
  redis.call('RPUSH', KEYS[2], ARGV[i])
end
return #ARGV
