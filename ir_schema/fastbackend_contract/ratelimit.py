"""The rate limits' shared token bucket in Redis: one Lua script that both servers run, so a
FastAPI runtime and an Express server with the same key prefix take from the same buckets
(docs/operations.md, "Rate limits"). A bucket's key is `PREFIX:METHOD /route/{template}:CLIENT`.
"""

from __future__ import annotations

# KEYS[1]: the bucket; ARGV: capacity, tokens per second. Returns {allowed, tokens left}.
TOKEN_BUCKET = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local last = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - last) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return {allowed, tostring(tokens)}
"""
