-- wrk script for bench/http_load.py: POST /v1/check with JSON bodies rotating through claims.
--
-- Arguments (after wrk's "--"): CLAIMS_FILE MODE OFFSET MAX_REQUESTS THREADS
--   CLAIMS_FILE  one claim a line, as "HEAD<TAB>TAIL": HEAD is the claim without its final
--                punctuation and TAIL that punctuation (maybe empty), both already escaped
--                for a JSON string by http_load.py (so this script needs no JSON encoder).
--   MODE         "repeat": request n sends claim n mod C unchanged (C claims), so each
--                worker's analysis cache (service/engine/checker.py) soon holds them all.
--                "distinct": request n sends claim n mod C with ", according to W1 W2 W3"
--                inserted before its final punctuation, where W1 W2 W3 spell n div C in base
--                32 over WORDS below: every request of a run is a different text, so no
--                per-process cache helps. The engine reads a trailing "according to <unknown
--                source>" as attribution, not content, so verdicts mostly stay those of the
--                plain claims while the whole analysis, retrieval and judging run again.
--   OFFSET       added to n; runs on the same server use far-apart offsets (warm-up 0,
--                measured run 1e6) so a distinct run never repeats a warm-up text.
--   MAX_REQUESTS stop after this many responses in all (0: no cap; the duration -d still
--                bounds the run). Split evenly between wrk's threads. wrk itself waits out
--                -d even when every thread has stopped, so a capped run's rate is computed
--                here over the threads' own first-request-to-cap time (LuaJIT's ffi clock).
--   THREADS      wrk's -t, so each thread knows its stride.
--
-- done() prints one line "WRK_RESULT {json}" for http_load.py: requests, non-2xx responses
-- (counted here, by status), socket errors (wrk's connect/read/write/timeout counts),
-- latency percentiles and requests per second.

-- Ordinary words of the seed corpus, none of them an entity, number, date, negation,
-- conjunction or other cue word of service/engine/data, and all known to the spelling corrector.
local WORDS = {
  "local", "regional", "southern", "mountainous", "landlocked", "populated", "major",
  "mainly", "formal", "single", "separate", "common", "current", "mutual", "important",
  "critical", "large", "upper", "world", "things", "terms", "parts", "stories", "media",
  "forums", "routes", "areas", "cities", "districts", "neighbours", "settlements", "pipelines",
}

local threads = {}

-- A microsecond monotonic clock, when wrk runs LuaJIT (Debian's does); nil otherwise.
local now_us = nil
do
  local ok, ffi = pcall(require, "ffi")
  if ok then
    ffi.cdef([[
      typedef struct { long tv_sec; long tv_nsec; } check_lua_timespec;
      int clock_gettime(int clock, check_lua_timespec *ts);
    ]])
    local ts = ffi.new("check_lua_timespec")
    now_us = function()
      ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
      return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
    end
  end
end

function setup(thread)
  -- Runs in wrk's main state, once per thread, before any request: number the threads.
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local heads, tails = {}, {}
local distinct = false
local step, n = 1, 0
local cap = 0
local seen = 0
-- Globals, read by done() through thread:get.
non2xx = 0
statuses = ""
started_us = 0 -- when this thread built its first request
capped_us = 0 -- when it reached its share of MAX_REQUESTS (0: it did not)

local status_counts = {}

function init(args)
  for line in io.lines(args[1]) do
    local head, tail = line:match("^(.-)\t(.*)$")
    table.insert(heads, head)
    table.insert(tails, tail)
  end
  distinct = args[2] == "distinct"
  local offset = tonumber(args[3]) or 0
  local max_requests = tonumber(args[4]) or 0
  local count = tonumber(args[5]) or 1
  local index = tonumber(thread_index) or 0
  -- Thread k sends n = offset + k, offset + k + T, ...: the threads never share an n.
  n = offset + index
  step = count
  if max_requests > 0 then
    cap = math.max(1, math.floor(max_requests / count))
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

local function suffix(k)
  local words = {}
  for _ = 1, 3 do
    table.insert(words, WORDS[(k % 32) + 1])
    k = math.floor(k / 32)
  end
  -- Past 32^3 texts a claim, longer suffixes keep every text distinct.
  while k > 0 do
    table.insert(words, WORDS[(k % 32) + 1])
    k = math.floor(k / 32)
  end
  return ", according to " .. table.concat(words, " ")
end

function request()
  if started_us == 0 and now_us then
    started_us = now_us()
  end
  local claims = #heads
  local i = (n % claims) + 1
  local text = heads[i]
  if distinct then
    text = text .. suffix(math.floor(n / claims))
  end
  n = n + step
  return wrk.format(nil, nil, nil, '{"claim": "' .. text .. tails[i] .. '"}')
end

function response(status, headers, body)
  seen = seen + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    status_counts[status] = (status_counts[status] or 0) + 1
    local parts = {}
    for code, count in pairs(status_counts) do
      table.insert(parts, "[" .. code .. ", " .. count .. "]")
    end
    statuses = table.concat(parts, ", ")
  end
  if cap > 0 and seen >= cap then
    if capped_us == 0 and now_us then
      capped_us = now_us()
    end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad = 0
  local codes = {}
  local first, last, all_capped = nil, 0, true
  for _, thread in ipairs(threads) do
    local started = tonumber(thread:get("started_us")) or 0
    local capped = tonumber(thread:get("capped_us")) or 0
    if capped == 0 or started == 0 then
      all_capped = false
    else
      first = math.min(first or started, started)
      last = math.max(last, capped)
    end
    bad = bad + (tonumber(thread:get("non2xx")) or 0)
    local s = thread:get("statuses")
    if s and s ~= "" then
      table.insert(codes, s)
    end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  if all_capped and first and last > first then
    seconds = (last - first) / 1e6 -- every thread stopped at its cap before -d ended
  end
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_s": %.3f, "capped": %s, "requests_per_s": %.1f, '
      .. '"non2xx": %d, "non2xx_by_status": [%s], "socket_errors": {"connect": %d, '
      .. '"read": %d, "write": %d, "timeout": %d}, "wrk_status_errors": %d, '
      .. '"bytes": %d, "latency_ms": {"p50": %.3f, "p90": %.3f, "p99": %.3f, '
      .. '"max": %.3f, "mean": %.3f}}\n',
    summary.requests, seconds, tostring(all_capped and first ~= nil), summary.requests / seconds,
    bad, table.concat(codes, ", "), e.connect, e.read, e.write, e.timeout, e.status,
    summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000
  ))
end
