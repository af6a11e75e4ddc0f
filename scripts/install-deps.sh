#!/usr/bin/env bash
# Installs the Debian 12 packages actorwire needs, only those that are missing.
# Usage: scripts/install-deps.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libcaf-dev            # CAF 0.17: the actor runtime (caf_io, caf_openssl: the cluster)
  dpdk-dev libdpdk-dev  # DPDK 22.11: ports, mbufs, rings, LPM
  libsodium-dev         # X25519, ChaCha20-Poly1305 (reference back-end), base64
  libssl-dev            # OpenSSL 3: ChaCha20-Poly1305 where ipsec-mb has no fast code
  libipsec-mb-dev       # intel-ipsec-mb: the fastest ChaCha20-Poly1305 (job API, AVX2/AVX-512)
  libb2-dev             # BLAKE2s for the Noise handshake
  libtomlplusplus-dev   # TOML config
  libcli11-dev          # command line
  nlohmann-json3-dev    # JSON on the control socket (actorwire stats --json)
  libsystemd-dev        # sd_notify's prototypes (libsystemd itself is dlopen'ed, optional)
  libncurses-dev        # the live, top-like actorwire stats
  libcpp-httplib-dev    # HTTP for [metrics] listen (/metrics, /stats.json)
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev)
  # tests/systemd_notify_test.py: systemd-analyze verify on contrib/actorwire@.service
  packages+=(systemd)
  packages+=(tmux)  # tests/stats_view.sh drives the live stats view in a detached tmux pane
  # tests/interop: namespaces, wireguard-go as the reference peer, throughput, offloads
  packages+=(wireguard-go wireguard-tools iperf3 iproute2 ethtool iputils-ping python3)
  # tests/prometheus.sh: a real Prometheus scrapes the daemon; promtool checks /metrics
  packages+=(prometheus curl)
  # tests/actors_cluster_tls: the openssl tool makes the cluster's test certificates
  packages+=(openssl)
  # tests/fuzz: libFuzzer targets built with clang 14 (its runtime is in libclang-rt-14-dev)
  packages+=(clang-14 libclang-rt-14-dev)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No recommends: wireguard-tools would otherwise pull in a whole kernel image.
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
