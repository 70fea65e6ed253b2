#!/usr/bin/env bash
# One command from a fresh Debian 12 machine:
#   scripts/setup.sh demo   install what is missing, build, scan + cluster + report the sample album
#   scripts/setup.sh test   install what is missing, build, run the whole test suite
#   scripts/setup.sh build  install and build only
set -euo pipefail
mode="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FACEATLAS_BUILD_DIR:-$root/build}"
cd "$root"

pkgs=(build-essential cmake pkg-config git ca-certificates openssl
      libopencv-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev sqlite3 libexiv2-dev
      libeigen3-dev libopenblas-dev libtorch-dev libxxhash-dev libfaiss-dev libgtest-dev libgmock-dev
      libbenchmark-dev python3-sklearn python3-scipy python3-numpy
      libheif-dev libheif-examples libraw-dev
      chromium)
# Node.js/npm may come from elsewhere than Debian (e.g. a newer Node on PATH): only install
# Debian's when the commands are missing.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

bash scripts/fetch_models.sh
if [ "$mode" = test ]; then
  # Reference implementation (tfjs) for the parity tests.
  if [ ! -d tests/parity/node_modules ] || [ tests/parity/package-lock.json -nt tests/parity/node_modules ]; then
    (cd tests/parity && npm ci --silent --no-audit --no-fund)
  fi
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)"

case "$mode" in
  demo)
    # The main job on the sample album (face-api's six demo photos): scan into a fresh catalog,
    # group the faces into persons, print the catalog summary, write the HTML report.
    fa="$build/tools/faceatlas/faceatlas"
    demo="$build/demo"
    rm -rf "$demo" && mkdir -p "$demo/album"
    cp "$root"/models/vendor/face-api/demo/sample*.jpg "$demo/album/"
    "$fa" scan "$demo/album" --catalog "$demo/faceatlas.db"
    "$fa" cluster --catalog "$demo/faceatlas.db"
    "$fa" info --catalog "$demo/faceatlas.db"
    "$fa" report --catalog "$demo/faceatlas.db" --out "$demo/report"
    echo "report: $demo/report/index.html"
    ;;
  test)
    ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
    ;;
  build) ;;
  *) echo "usage: scripts/setup.sh demo|test|build" >&2; exit 2 ;;
esac
