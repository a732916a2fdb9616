-- GET with one random substitution per request.
--   BENCH_PATH   path template; "{}" is replaced (e.g. /scim/v2/Users/{})
--   BENCH_LIST   file with one (already URL-encoded) value per line, or
--   BENCH_RANDMAX  pick a random integer 1..N instead of a list entry
--   BENCH_SEED   random seed (differs per thread)
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local template = bench.env("BENCH_PATH")
local list_path = bench.env("BENCH_LIST", "")
local randmax = tonumber(bench.env("BENCH_RANDMAX", "0"))
local values = nil
local n = 0
local before, after = template:match("^(.-){}(.*)$")

function init(args)
  math.randomseed(tonumber(bench.env("BENCH_SEED", "1")) + (thread_index or 0) * 7919)
  if list_path ~= "" then
    values = bench.load(list_path)
    n = values.n
  end
end

function request()
  sent = sent + 1
  local path = template
  if before ~= nil then
    local v
    if values ~= nil then v = values.get(math.random(n)) else v = tostring(math.random(randmax)) end
    path = before .. v .. after
  end
  return wrk.format("GET", path)
end
