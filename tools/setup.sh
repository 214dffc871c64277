#!/usr/bin/env bash
# Installs what xmargin needs from Debian's packages (when missing), then
# configures and builds everything in build/. Safe to run again: it only
# installs what is absent and rebuilds what changed.
#
# CUDA is not a Debian package here: the CUDA backend is built when nvcc is
# found (at /usr/local/cuda on our machines); without it the build is CPU-only.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake g++ make               # the build
  nlohmann-json3-dev           # market.json / config.json / margins.json
  libcli11-dev                 # the command line
  libssl-dev                   # SHA-256 of the inputs in margins.json (libcrypto)
  pkg-config libcpp-httplib-dev  # xmargin serve: HTTP/1.1 (cpp-httplib, found by pkg-config)
  prometheus-cpp-dev           # xmargin serve: Prometheus metrics
  curl                         # the service tests talk to the server as users do
  openssl                      # the service tests make a throw-away TLS certificate
  libgtest-dev                 # the test suite
  libquantlib0-dev             # test oracle for the pricing formulas (tests and bench only)
  clang libclang-rt-dev libomp-dev  # tools/fuzz.sh (libFuzzer), which CI runs
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${XM_CMAKE_ARGS:-}
cmake --build build -j"$(nproc)"
