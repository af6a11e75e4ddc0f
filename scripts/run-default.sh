#!/usr/bin/env bash
# Installs what is missing, builds actorwire (Release) and runs the gateway on its embedded
# default: in-memory net_ring ports, one generated peer, the built-in traffic generator,
# a live stats line per second until Ctrl-C (--live: also when the output is piped, e.g. to tee).
# Extra arguments go to `actorwire run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DACTORWIRE_TESTS=OFF >/dev/null
cmake --build build/release --target actorwire -j"$(nproc)"
exec build/release/apps/actorwire run --live "$@"
