#!/usr/bin/env bash
# Installs every Debian 12 package that vsr's build, tests and benchmarks need. Idempotent: packages already
# present are skipped, so a second run costs a second. Needs root and apt-get.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git
  libtorch-dev libopenblas0-openmp libgloo-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
  libhdf5-dev zlib1g-dev libboost-program-options-dev libboost-filesystem-dev
  libfmt-dev librange-v3-dev nlohmann-json3-dev libpcre2-dev libutf8proc-dev libcgal-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox
)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "tools/setup.sh: apt-get not found: vsr's set-up expects Debian 12 (install the packages listed in this script by hand)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "tools/setup.sh: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "tools/setup.sh: must run as root (or with sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi

echo "tools/setup.sh: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "tools/setup.sh: done"
