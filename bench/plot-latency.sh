#!/usr/bin/env bash
# shellcheck disable=SC2016  # single-quoted $... below is awk code, not shell
# Plots the CSV of `actorwire bench --latency --csv OUT.csv` (one or more topologies, e.g. from
# bench/latency.sh): p50, p99 and p99.9 side by side, one line per topology over the offered
# load (10 %, 50 %, 90 % of each topology's own peak, then 150 %: overload), log scale, as
# OUTDIR/latency.png (1200x420), and prints the same as a markdown table.
# Usage: bench/plot-latency.sh CSV OUTDIR
#   MACHINE="..." overrides the machine named in the title (default: this one's nproc and CPU).
# Needs gnuplot (gnuplot-nox, pngcairo) and awk.
set -euo pipefail
export LC_ALL=C
# shellcheck source=bench/plot-lib.sh
source "$(dirname "$0")/plot-lib.sh"
plot_start "$0" "$@"
cpu="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs || true)"
machine="${MACHINE:-$(nproc) cores, ${cpu:-unknown CPU}}"

# One data file per topology (x: 0 = 10 %, 1 = 50 %, 2 = 90 %, 3 = overload), and the table.
awk -F, -v dir="$tmp" '
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  {
    load = $c["load"]
    x = -1
    if (load == "10%") x = 0
    if (load == "50%") x = 1
    if (load == "90%") x = 2
    if (load == "overload") x = 3
    name = $c["topology"] ($c["topology"] == "single" ? "" : " w" $c["crypto_workers"])
    if ($c["direction"] != "encrypt") name = $c["direction"] " " name
    file = name; gsub(/ /, "_", file)
    if (!(file in seen)) { seen[file] = 1; order[++n] = file; label[file] = name }
    if (x >= 0) print x, $c["p50_us"], $c["p99_us"], $c["p999_us"] > (dir "/" file ".dat")
    printf "| %s | %s B | %s | %.3f | %.3f | %.0f | %.0f | %.0f |\n", name, $c["size"], $c["load"],
           $c["offered_mpps"], $c["mpps"], $c["p50_us"], $c["p99_us"], $c["p999_us"] > (dir "/table")
  }
  END { for (i = 1; i <= n; i++) print order[i] "\t" label[order[i]] > (dir "/series") }
' "$csv"
[[ -s "$tmp/series" ]] || { echo "$0: no rows in $csv" >&2; exit 2; }

panel() {  # panel COLUMN TITLE: one plot command over every topology
  local column="$1" title="$2" first=1 file name
  echo "set title \"$title\""
  printf 'plot '
  while IFS=$'\t' read -r file name; do
    [[ -s "$tmp/$file.dat" ]] || continue
    ((first)) || printf ', '
    printf '"%s" using 1:%s with linespoints lw 2 title "%s"' "$tmp/$file.dat" "$column" "$name"
    first=0
  done <"$tmp/series"
  echo
}
{
  cat <<GNUPLOT
set terminal pngcairo size 1200,420 font ",10"
set output "$out/latency.png"
set multiplot layout 1,3 title "actorwire bench --latency: generator to gateway tx ($machine)"
set logscale y
set ylabel "microseconds"
set xrange [-0.3:3.3]
set xtics ("10%%" 0, "50%%" 1, "90%%" 2, "overload" 3)  # labels are formats: %% is a %
set xlabel "offered load (share of each topology's own peak)"
set grid
set key top left
GNUPLOT
  panel 2 "p50"
  panel 3 "p99"
  panel 4 "p99.9"
  echo "unset multiplot"
} >"$tmp/plot.gp"
gnuplot "$tmp/plot.gp"
echo "| topology | size | load | offered Mpps | out Mpps | p50 us | p99 us | p99.9 us |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
cat "$tmp/table"
echo "wrote $out/latency.png" >&2
