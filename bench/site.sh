#!/usr/bin/env bash
# Full-build benchmark on the personalised workload: a generated firm with N clients.
#
#   bench/site.sh [CLIENTS...]        (default: 1000; e.g. bench/site.sh 100 1000 10000)
#   RUNS=7 bench/site.sh 1000         (timed runs per size, after one warm-up; default 5)
#   LOGS=20 bench/site.sh 1000        (a journey log of 20 entries per client; default 0, none)
#   CALENDAR=1 bench/site.sh 1000     (bank holidays and a monthly repeat: bench/add_calendar.py)
#   PRIVATE=1 bench/site.sh 1000      (private portals: [portal] private = true and a secret)
#   CSV=bench/results/clients.csv     (also append each size's row there, for bench/plot.py)
#   COLD=1 bench/site.sh 1000         (every timed run builds into an empty output folder, with
#                                      no search cache: a first build, not a rebuild)
#   EMPTY=1 bench/site.sh 1000        (every timed run builds into an empty output folder; the
#                                      search index comes from .hundred-cache/ when unchanged)
#   OUT_ROOT=DIR                      (outputs under DIR; default /dev/shm, tmpfs, when present)
#
# With LOGS=N (N > 0) or CALENDAR=1 each size builds its own site (bench/out/site-CLIENTS,
# -logsN, -calendar): generated as without, then given log/<client>.yaml by bench/add_logs.py
# and the calendar rules by bench/add_calendar.py once, so the variants never mix.
#
# Reports, per size: pages and files written, the median wall time of the timed runs, pages
# per second at that median, and the largest peak memory (max RSS) seen. A benchmark, not a
# test: these machines are noisy, so read the median, and compare sizes measured in one run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shared=${SHARED:-$repo/../shared}
runs=${RUNS:-5}
logs=${LOGS:-0}
calendar=${CALENDAR:-0}
[[ "$calendar" =~ ^[01]$ ]] || { echo "CALENDAR must be 0 or 1, not '$calendar'" >&2; exit 1; }
private=${PRIVATE:-0}
[[ "$private" =~ ^[01]$ ]] || { echo "PRIVATE must be 0 or 1, not '$private'" >&2; exit 1; }
[[ "$logs" =~ ^[0-9]+$ ]] || { echo "LOGS must be a number of entries per client, not '$logs'" >&2; exit 1; }
logs=$((10#$logs))   # LOGS=020 is LOGS=20
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000)

[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install -y time)" >&2; exit 1; }
(cd "$repo" && cargo build --release --quiet)
bin=$repo/target/release/hundred
work=$repo/bench/out
mkdir -p "$work"
# Builds write to tmpfs when this machine has one (as bench/compare.sh does), so the figures
# are hundred's and not the disk's; OUT_ROOT=DIR puts the outputs elsewhere.
if [ -z "${OUT_ROOT:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then OUT_ROOT=/dev/shm; fi
outs=${OUT_ROOT:-$work}/hundred-site
mkdir -p "$outs"

if [ "$logs" -gt 0 ]; then
  echo "journey logs: $logs entries per client"
fi
if [ "$calendar" -eq 1 ]; then
  echo "calendar: bank holidays and a monthly repeat (bench/add_calendar.py)"
fi
cold=${COLD:-0}
[[ "$cold" =~ ^[01]$ ]] || { echo "COLD must be 0 or 1, not '$cold'" >&2; exit 1; }
empty=${EMPTY:-0}
[[ "$empty" =~ ^[01]$ ]] || { echo "EMPTY must be 0 or 1, not '$empty'" >&2; exit 1; }
# In the CSV: 2 for a first build without the search cache, 1 into an empty folder, 0 a rebuild.
kind=$(( cold ? 2 : empty ))
csv=${CSV:-}
if [ -n "$csv" ] && [ ! -s "$csv" ]; then
  mkdir -p "$(dirname "$csv")"
  echo "date,clients,logs,calendar,private,first_build,pages,files,median_ms,peak_mb" >"$csv"
fi
printf '%-8s %7s %7s %10s %10s %10s\n' clients pages files median_ms pages/s peak_MB
for n in "${sizes[@]}"; do
  # Each variant builds its own site, generated aside and moved in whole, so an interrupted
  # run never leaves a site that looks finished but lacks some logs or rules.
  name=site-$n
  [ "$logs" -gt 0 ] && name=$name-logs$logs
  [ "$calendar" -eq 1 ] && name=$name-calendar
  [ "$private" -eq 1 ] && name=$name-private
  site=$work/$name
  out=$outs/public-${name#site-}
  if [ ! -f "$site/hundred.toml" ]; then
    rm -rf "$site" "$site.tmp"
    python3 "$shared/bench/gen_site.py" --out "$site.tmp" --clients "$n" >/dev/null
    if [ "$logs" -gt 0 ]; then
      python3 "$here/add_logs.py" "$site.tmp" --entries "$logs" >/dev/null
    fi
    if [ "$calendar" -eq 1 ]; then
      python3 "$here/add_calendar.py" "$site.tmp"
    fi
    if [ "$private" -eq 1 ]; then
      python3 - "$site.tmp/hundred.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
text = re.sub(r"(\[portal\][^\[]*?base_url *= *\"[^\"]*\")", r"\1\nprivate = true", text, count=1)
open(path, "w").write(text)
PY
      echo "a benchmark secret, not for any real site, long enough" >"$site.tmp/.hundred-secret"
    fi
    mv "$site.tmp" "$site"
  fi
  "$bin" build "$site" --output "$out" --today 2026-11-23 >/dev/null   # warm-up
  times=(); peak=0; pages=0; files=0
  for _ in $(seq "$runs"); do
    if [ "$cold" -eq 1 ]; then rm -rf "$out" "$site/.hundred-cache/search"; fi
    if [ "$empty" -eq 1 ]; then rm -rf "$out"; fi
    log=$(mktemp)
    /usr/bin/time -v "$bin" build "$site" --output "$out" --today 2026-11-23 >"$log.out" 2>"$log"
    wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
    ms=$(python3 -c "p='$wall'.split(':'); print(round((float(p[-1]) + 60*float(p[-2]) + (3600*float(p[-3]) if len(p) > 2 else 0))*1000))")
    rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
    times+=("$ms")
    [ "$rss" -gt "$peak" ] && peak=$rss
    read -r pages files < <(sed -n 's/.*: \([0-9]*\) pages, \([0-9]*\) files.*/\1 \2/p' "$log.out")
    rm -f "$log" "$log.out"
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  pps=$(python3 -c "print(round($pages / ($median / 1000)))")
  printf '%-8s %7s %7s %10s %10s %10s\n' "$n" "$pages" "$files" "$median" "$pps" "$((peak / 1024))"
  if [ -n "$csv" ]; then
    echo "$(date -u +%Y-%m-%d),$n,$logs,$calendar,$private,$kind,$pages,$files,$median,$((peak / 1024))" >>"$csv"
  fi
done
