-- wrk script for Hpo.Serving's predict endpoint: POSTs the JSON body in $WRK_BODY_FILE (or one Iris instance) and, when done,
-- prints one line "WRKJSON {...}" with the request count, errors and latency percentiles in microseconds.
-- WRK_METHOD=GET sends plain GETs instead (the no-op floor, GET /healthz).
wrk.method = os.getenv("WRK_METHOD") or "POST"
local file = os.getenv("WRK_BODY_FILE")
if wrk.method == "GET" then
  wrk.body = nil
elseif file ~= nil and file ~= "" then
  wrk.headers["Content-Type"] = "application/json"
  local f = assert(io.open(file, "rb"))
  wrk.body = f:read("*a")
  f:close()
else
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
