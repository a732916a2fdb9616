-- Shared by every bench wrk script: auth header, list loading, and one machine-readable summary line.
-- Loaded with dofile() from each script; configuration comes from BENCH_* environment variables
-- because wrk hands `--` arguments to init() only, after the top level has run.
bench = {}

function bench.env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then
    if default == nil then error("missing environment variable " .. name) end
    return default
  end
  return v
end

-- A list is kept as ONE string of fixed-width records, not a table of strings: LuaJIT's GC
-- walks every live object on each cycle, and wrk allocates for every request, so a table of a
-- million strings put tens of milliseconds of wrk pauses into the measured tail latency.
function bench.load(path)
  local lines, width = {}, 0
  for line in io.lines(path) do
    if line ~= "" then
      lines[#lines + 1] = line
      if #line > width then width = #line end
    end
  end
  local n = #lines
  if n == 0 then error("empty list " .. path) end
  for i = 1, n do lines[i] = lines[i] .. string.rep(" ", width - #lines[i]) end
  local blob = table.concat(lines)
  lines = nil
  collectgarbage("collect")
  local list = { n = n }
  function list.get(i)
    local at = (i - 1) * width + 1
    local v = blob:sub(at, at + width - 1)
    if v:byte(width) == 32 then v = v:match("^(.-) *$") end
    return v
  end
  return list
end

-- Entra's PATCH of a user: deactivate, and a familyName no earlier request sent, so every request
-- changes the user. The same value again would change nothing, and a PATCH that changes nothing
-- writes nothing (RFC 7644 §3.5.2): with one fixed body every PATCH after a user's first measured a
-- read, not a durable write. `run` tells wrk runs (and threads) apart, `k` requests within one.
function bench.patch_user_body(run, k)
  return '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[' ..
    '{"op":"Replace","path":"active","value":"False"},' ..
    '{"op":"Replace","path":"name.familyName","value":"X' .. run .. '-' .. k .. '"}]}'
end

wrk.headers["Authorization"] = "Bearer " .. bench.env("BENCH_TOKEN")
wrk.headers["Accept"] = "application/scim+json"

-- `sent` counts request() calls in each thread; done() reads it back through thread:get().
sent = 0
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local total_sent, wrapped = 0, 0
  for _, t in ipairs(threads) do
    total_sent = total_sent + (t:get("sent") or 0)
    wrapped = math.max(wrapped, t:get("wrapped") or 0)
  end
  local f = math.floor
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"sent":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"p50_us":%d,"p75_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"wrapped":%d}\n',
    summary.requests, summary.duration, summary.bytes, total_sent,
    e.connect, e.read, e.write, e.status, e.timeout,
    f(latency:percentile(50)), f(latency:percentile(75)), f(latency:percentile(90)),
    f(latency:percentile(99)), f(latency.max), latency.mean, wrapped))
end
