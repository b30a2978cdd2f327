#!/usr/bin/env bash
# Remakes the screenshots README.md shows: a client's welcome page and the team's overview of
# the example firm, at 1280 px, side by side. Needs Chromium and ImageMagick (montage).
#   docs/screenshots/make.sh [path/to/hundred]
set -euo pipefail
cd "$(dirname "$0")/../.."
hundred=${1:-target/release/hundred}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$hundred" build example-playbook --preview -o "$out/site" --today 2026-11-23 >/dev/null 2>&1
shot() {
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" --hide-scrollbars \
    --window-size=1280,900 --screenshot="$2" "file://$out/site/$1" >/dev/null 2>&1
}
shot portal/hollis-surveyors/index.html "$out/portal.png"
shot internal/index.html "$out/overview.png"
montage "$out/portal.png" "$out/overview.png" -tile 2x1 -geometry 1280x900+12+12 \
  -background '#d9d4ca' "$out/both.png"
convert "$out/both.png" -resize 1600x -strip -colors 256 docs/screenshots/portal-and-overview.png
echo "wrote docs/screenshots/portal-and-overview.png"
