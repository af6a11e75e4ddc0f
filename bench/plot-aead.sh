#!/usr/bin/env bash
# Measures the single-core ChaCha20-Poly1305 seal rate of every AEAD back-end over packet sizes
# and plots it (gnuplot). Usage: bench/plot-aead.sh [build-dir] [out-dir]
set -euo pipefail
build="${1:-build/release}"
out="${2:-docs}"
mkdir -p "$out"
sizes="64,128,256,512,768,1024,1280,1420"
"$build/bench/aead_bench" --sizes "$sizes" --seconds 0.5 --csv >"$out/aead-seal-rate.csv"
# One data file per back-end, so gnuplot draws each as a connected line.
for backend in ipsec-mb openssl libsodium; do
  awk -F, -v b="$backend" 'NR > 1 && $1 == b' "$out/aead-seal-rate.csv" >"$out/.$backend.dat"
done
trap 'rm -f "$out/.ipsec-mb.dat" "$out/.openssl.dat" "$out/.libsodium.dat"' EXIT
gnuplot <<GNUPLOT
set terminal pngcairo size 800,450 font ",10"
set output "$out/aead-seal-rate.png"
set datafile separator ","
set title "ChaCha20-Poly1305 seal, one core ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
set xlabel "plaintext bytes"
set ylabel "Gbit/s (plaintext)"
set y2label "M seals/s"
set ytics nomirror
set y2tics
set key top left
set grid
plot "$out/.ipsec-mb.dat" using 2:4 with linespoints lw 2 title "ipsec-mb Gbit/s", \
     "$out/.openssl.dat" using 2:4 with linespoints lw 2 title "openssl Gbit/s", \
     "$out/.libsodium.dat" using 2:4 with linespoints lw 2 title "libsodium Gbit/s", \
     "$out/.ipsec-mb.dat" using 2:3 axes x1y2 with lines dashtype 2 title "ipsec-mb M seals/s", \
     "$out/.openssl.dat" using 2:3 axes x1y2 with lines dashtype 2 title "openssl M seals/s", \
     "$out/.libsodium.dat" using 2:3 axes x1y2 with lines dashtype 2 title "libsodium M seals/s"
GNUPLOT
echo "wrote $out/aead-seal-rate.png"
