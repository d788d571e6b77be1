-- wrk script of the benchmarks (bench/run.py): replays the requests of the file named by
-- BENCH_REQUESTS, one per line: METHOD <tab> PATH <tab> COOKIE <tab> BODY (form-encoded).
-- Every request says it came through the TLS proxy (X-Forwarded-Proto) from our own
-- origin (CSRF). BENCH_DELAY_MS > 0 paces each connection (the fixed-rate runs); BENCH_HTMX=1
-- adds HX-Request, as the guard page's form sends it.
-- done() prints one line "BENCH_JSON {...}" with the throughput and latency percentiles.
local file = os.getenv("BENCH_REQUESTS")
local origin = os.getenv("BENCH_ORIGIN") or "https://127.0.0.1:8089"
local pace = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local htmx = os.getenv("BENCH_HTMX") == "1"  -- the guard page posts with htmx: the answer card only
local threads = {}
local requests = {}
local counter = 1
s2, s3, s4, s5 = 0, 0, 0, 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(file) do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = { ["X-Forwarded-Proto"] = "https", ["Origin"] = origin, ["Accept-Language"] = "ru" }
    if cookie ~= "" then headers["Cookie"] = cookie end
    if method == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
    if htmx then headers["HX-Request"] = "true" end
    if body == "" then body = nil end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  counter = 1 + ((tid or 0) * 7919) % #requests
end

function request()
  local r = requests[counter]
  counter = counter % #requests + 1
  return r
end

if pace > 0 then
  function delay()
    return pace
  end
end

function response(status, headers, body)
  if status < 300 then s2 = s2 + 1
  elseif status < 400 then s3 = s3 + 1
  elseif status < 500 then s4 = s4 + 1
  else s5 = s5 + 1 end
end

function done(summary, latency, requests)
  local c = { 0, 0, 0, 0 }
  for _, thread in ipairs(threads) do
    c[1] = c[1] + thread:get("s2")
    c[2] = c[2] + thread:get("s3")
    c[3] = c[3] + thread:get("s4")
    c[4] = c[4] + thread:get("s5")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_s": %.3f, "rps": %.1f, "latency_ms": {"mean": %.2f, "p50": %.2f, "p90": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f}, "status": {"2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d}, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    c[1], c[2], c[3], c[4], e.connect + e.read + e.write + e.timeout))
end
