-- POST /Users with a unique userName per request: random per-run prefix + counter.
--   BENCH_PATH    target path (/scim/v2/Users or the baseline's /Users)
--   BENCH_PREFIX  random prefix, different for every run so names never collide
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local path = bench.env("BENCH_PATH")
local prefix = bench.env("BENCH_PREFIX")
wrk.headers["Content-Type"] = "application/scim+json; charset=utf-8"

local head = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"'
local mid1 = '@example.com","externalId":"'
local mid2 = '","active":true,"name":{"givenName":"Bench","familyName":"Writer"},"emails":[{"value":"'
local tail = '@example.com","type":"work","primary":true}],' ..
  '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}}'

function init(args)
  -- BENCH_SEED differs for every wrk run, so a warm-up and its measured run never share names.
  prefix = prefix .. bench.env("BENCH_SEED", "0") .. "t" .. tostring(thread_index or 0) .. "-"
end

function request()
  sent = sent + 1
  local name = prefix .. sent
  return wrk.format("POST", path, nil, head .. name .. mid1 .. "x" .. name .. mid2 .. name .. tail)
end
