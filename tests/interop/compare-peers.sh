#!/usr/bin/env bash
# Moved to bench/compare-peers.sh (actorwire vs wireguard-go, TCP and UDP); same options.
exec "$(dirname "${BASH_SOURCE[0]}")/../../bench/compare-peers.sh" "$@"
