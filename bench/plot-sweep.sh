#!/usr/bin/env bash
# shellcheck disable=SC2016  # single-quoted $... below is awk and gnuplot code, not shell
# Plots the CSV of `actorwire bench --sweep FILE --csv OUT.csv` (bench/sweeps/paper.toml) as the
# paper's figures, one 800x450 PNG each, and prints a markdown table per figure to stdout:
#   fig11.png     rate vs offered load per flow count (workers-mutex)          figure fig11
#   fig12.png     mutex vs spin lock as workers are added                      figure fig12
#   fig14.png     pipeline vs crypto workers, ratio per core on y2             figure fig14
#   fig15.png     pipeline vs number of flows                                  figure fig15
#   fig16.png     per-stage busy % (fig14 rows with the most crypto workers, else pipeline rows)
#   overload.png  delivered rate, mailbox high-water and rx back-off over offered load
#   ordered.png   the cost of restoring the input order                        figure ordered
#   single.png    Variant 1 against its ceiling (else any topology=single rows)
#   scaling.png   many-core worker scaling against workers x ceiling          figure scaling
# Figures absent from the CSV are skipped; other figures (smoke ...) only get a table.
# Usage: bench/plot-sweep.sh CSV OUTDIR
#   MACHINE="..." overrides the machine named in the titles (default: this one's nproc and CPU).
# Needs gnuplot (gnuplot-nox, pngcairo) and awk.
set -euo pipefail
export LC_ALL=C

# shellcheck source=bench/plot-lib.sh
source "$(dirname "$0")/plot-lib.sh"
plot_start "$0" "$@"
tab="$(printf '\t')"

cpu="$(grep -m1 -E '^(model name|Model Name|cpu model|Processor)' /proc/cpuinfo 2>/dev/null |
  cut -d: -f2- | xargs || true)"
[[ -n "$cpu" ]] || cpu="$(lscpu 2>/dev/null | sed -nE 's/^Model name: *//p' | head -1)"
machine="${MACHINE:-$(nproc) cores, ${cpu:-unknown CPU}}"

# Shared awk: columns by header name (F), stage fields (ST: 2 busy %, 3 mailbox high-water,
# 4 credit stalls, 5 back-off events, 6 back-off ms, 7 lock wait %), size labels and sort keys.
LIB='
BEGIN { FS = ","; T = "\t" }
{ sub(/\r$/, "") }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
$0 == "" { next }
function F(name) { return $(c[name]) }
function SZ(s) { return s == "imix" ? "imix" : s " B" }
function SZRANK(s) { return s == "imix" ? 999999 : s + 0 }
function TOPORANK(t) {
  return t == "single" ? 1 : t == "workers-mutex" ? 2 : t == "workers-spinlock" ? 3 : t == "pipeline" ? 4 : 5
}
function K(n) { return sprintf("%012.0f", n) }
function ST(name, k,   n, i, a, b) {
  n = split(F("stages"), a, ";")
  for (i = 1; i <= n; i++) { split(a[i], b, ":"); if (b[1] == name) return b[k] }
  return "NaN"
}
function STAVG(prefix, k,   n, i, a, b, s, m) {
  n = split(F("stages"), a, ";")
  for (i = 1; i <= n; i++) {
    split(a[i], b, ":")
    if (index(b[1], prefix) == 1 && b[1] ~ /[0-9]$/) { s += b[k]; m++ }
  }
  return m ? sprintf("%.1f", s / m) : "NaN"
}
'

# Runs awk with LIB over the CSV: awkcsv 'PROGRAM' [awk options...]
awkcsv() {
  local prog="$1"
  shift
  awk "$@" "$LIB $prog" "$csv"
}

# The columns used here, by name (the order may change).
awkcsv 'END {
  n = split("figure topology crypto_workers ordered flows size offered_pps offered_mpps mpps " \
            "gbit_s drops port_drops ceiling_mpps ratio ratio_per_core stages", need, " ")
  for (i = 1; i <= n; i++) if (!(need[i] in c)) { print "missing column " need[i]; bad = 1 }
  exit bad
}' >&2 || { echo "$0: $csv is not a sweep CSV (actorwire bench --sweep ... --csv)" >&2; exit 2; }

has_figure() { awkcsv 'F("figure") == f { n++ } END { exit !n }' -v f="$1"; }

# Distinct values of a column among rows matching COND, numerically sorted, joined by "/".
distinct() {
  awkcsv "$1 { print F(\"$2\") }" | sort -g | uniq | paste -sd/ -
}

# count COND COLUMN NOUN: "1 flow", "1/2/4 flows".
count() {
  local v
  v="$(distinct "$1" "$2")"
  if [[ "$v" == 1 ]]; then echo "1 $3"; else echo "$v $3s"; fi
}

# series NAME COND KEY LABEL COLS: one gnuplot data file per series ($tmp/NAME.N.dat, sorted by
# the first column), series in KEY order (a fixed-width string); labels in $tmp/NAME.labels.
series() {
  local name="$1" cond="$2" key="$3" label="$4" cols="$5"
  rm -f "$tmp/$name".*
  : >"$tmp/$name.labels"
  awkcsv "$cond { print ($key) T ($label) T $cols }" |
    sort -t "$tab" -k1,1 -k3,3g |
    awk -F '\t' -v base="$tmp/$name" '
      $1 != last { n++; last = $1; print $2 > (base ".labels") }
      { line = $3; for (i = 4; i <= NF; i++) line = line "\t" $i; print line > (base "." n ".dat") }'
}

# plot_series NAME USING STYLE [TITLE-SUFFIX]: the plot clauses for every series of NAME,
# series N in line type N.
plot_series() {
  local name="$1" using="$2" style="$3" suffix="${4:-}" i=0 label clauses=""
  while IFS= read -r label; do
    i=$((i + 1))
    clauses+="${clauses:+, }\"$tmp/$name.$i.dat\" using $using $style lt $i title \"$label$suffix\""
  done <"$tmp/$name.labels"
  printf '%s' "$clauses"
}

# Common gnuplot settings; the rest comes on stdin.
gp() {
  local png="$1"
  {
    cat <<GNUPLOT
set terminal pngcairo size 800,450 font "Sans,10" noenhanced
set output "$out/$png"
set datafile separator "\t"
set datafile missing "NaN"
set grid
set key top left box opaque
set linetype 1 lc rgb "#1f77b4" lw 2 pt 7 ps 1.2
set linetype 2 lc rgb "#d62728" lw 2 pt 5 ps 1.2
set linetype 3 lc rgb "#2ca02c" lw 2 pt 9 ps 1.2
set linetype 4 lc rgb "#ff7f0e" lw 2 pt 11 ps 1.2
set linetype 5 lc rgb "#9467bd" lw 2 pt 13 ps 1.2
set linetype 6 lc rgb "#8c564b" lw 2 pt 3 ps 1.2
set linetype 7 lc rgb "#e377c2" lw 2 pt 1 ps 1.2
set linetype 8 lc rgb "#7f7f7f" lw 2 pt 2 ps 1.2
set linetype cycle 8
GNUPLOT
    cat
  } | gnuplot
  echo "wrote $out/$png" >&2
}

# table COND KEY HEADER ROW: a markdown table of the rows matching COND, sorted by KEY.
table() {
  local cond="$1" key="$2" header="$3" row="$4"
  echo "$header"
  echo "$header" | sed -E 's/[^|]+/---/g'
  awkcsv "$cond { print ($key) T \"| \" $row \" |\" }" | sort -t "$tab" -k1,1 | cut -f2-
  echo
}

echo "Machine: $machine"
echo
known=" fig11 fig12 fig14 fig15 overload ordered single scaling "

# ---------------------------------------------------------------------------------------------
if has_figure fig11; then
  cond='F("figure") == "fig11"'
  ctx="$(distinct "$cond" topology), $(count "$cond" crypto_workers "crypto worker"), $(distinct "$cond" size | sed -E "s#([0-9]+)#\1 B#g")"
  series fig11 "$cond" 'K(F("flows"))' 'F("flows") (F("flows") == 1 ? " flow" : " flows")' \
    'F("offered_mpps") T F("mpps")'
  gp fig11.png <<GNUPLOT
set title "Fig. 11: delivered vs offered load per flow count ($ctx)\n$machine"
set xlabel "offered load, measured (Mpps)"
set ylabel "delivered (Mpps)"
set xrange [0:*]
set yrange [0:*]
plot $(plot_series fig11 1:2 "with linespoints"), x with lines dt 3 lw 1 lc rgb "gray50" title "delivered = offered"
GNUPLOT
  echo "### fig11: rate vs offered load per flow count ($ctx)"
  echo
  table "$cond" 'K(F("flows")) sprintf("%012.4f", F("offered_mpps"))' \
    "| flows | offered (configured pps) | offered Mpps | delivered Mpps | drops | port drops |" \
    'F("flows") " | " F("offered_pps") " | " F("offered_mpps") " | " F("mpps") " | " F("drops") " | " F("port_drops")'
fi

# ---------------------------------------------------------------------------------------------
if has_figure fig12; then
  cond='F("figure") == "fig12"'
  ctx="$(count "$cond" flows flow)"
  series fig12 "$cond" 'K(SZRANK(F("size"))) K(TOPORANK(F("topology")))' \
    'F("topology") ", " SZ(F("size"))' 'F("crypto_workers") T F("mpps")'
  # Colour by size, solid for the mutex, dashed for the spin lock.
  clauses="" i=0
  declare -A size_colour=()
  while IFS= read -r label; do
    i=$((i + 1))
    size="${label#*, }"
    [[ -n "${size_colour[$size]:-}" ]] || size_colour[$size]=$((${#size_colour[@]} + 1))
    dt=1
    [[ "$label" == *spinlock* ]] && dt=2
    clauses+="${clauses:+, }\"$tmp/fig12.$i.dat\" using 1:2 with linespoints lt ${size_colour[$size]} dt $dt title \"$label\""
  done <"$tmp/fig12.labels"
  gp fig12.png <<GNUPLOT
set title "Fig. 12: mutex vs spin lock, delivered rate vs crypto workers ($ctx)\n$machine"
set xlabel "crypto workers"
set ylabel "delivered (Mpps)"
set xtics 1
set autoscale xfix
set offsets 0.25, 0.25, 0, 0
set yrange [0:*]
set key top left
plot $clauses
GNUPLOT
  echo "### fig12: mutex vs spin lock ($ctx)"
  echo
  table "$cond" 'K(TOPORANK(F("topology"))) K(SZRANK(F("size"))) K(F("crypto_workers"))' \
    "| topology | size | workers | Mpps | Gbit/s | ratio | ratio/core | lock wait % (avg worker) |" \
    'F("topology") " | " SZ(F("size")) " | " F("crypto_workers") " | " F("mpps") " | " F("gbit_s") " | " F("ratio") " | " F("ratio_per_core") " | " STAVG("worker", 7)'
fi

# ---------------------------------------------------------------------------------------------
if has_figure fig14; then
  cond='F("figure") == "fig14"'
  ctx="$(distinct "$cond" topology), $(count "$cond" flows flow)"
  series fig14 "$cond" 'K(SZRANK(F("size")))' 'SZ(F("size"))' \
    'F("crypto_workers") T F("mpps") T F("ratio_per_core")'
  gp fig14.png <<GNUPLOT
set title "Fig. 14: delivered rate vs crypto workers ($ctx)\n$machine"
set xlabel "crypto workers"
set ylabel "delivered (Mpps), solid"
set y2label "ratio to one core's seal rate, per crypto core (dashed)"
set xtics 1
set autoscale xfix
set offsets 0.25, 0.25, 0, 0
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set bmargin 7
set key at screen 0.5, screen 0.02 center bottom horizontal maxrows 2
plot $(plot_series fig14 1:2 "with linespoints" " Mpps"), \
     $(plot_series fig14 1:3 "axes x1y2 with linespoints dt 2 pt 6" " ratio per core")
GNUPLOT
  echo "### fig14: pipeline vs crypto workers ($ctx)"
  echo
  table "$cond" 'K(SZRANK(F("size"))) K(F("crypto_workers"))' \
    "| size | workers | Mpps | Gbit/s | ratio | ratio/core | crypto busy % (avg) |" \
    'SZ(F("size")) " | " F("crypto_workers") " | " F("mpps") " | " F("gbit_s") " | " F("ratio") " | " F("ratio_per_core") " | " STAVG("crypto", 2)'
fi

# ---------------------------------------------------------------------------------------------
if has_figure fig15; then
  cond='F("figure") == "fig15"'
  ctx="$(distinct "$cond" topology), $(count "$cond" crypto_workers "crypto worker")"
  series fig15 "$cond" 'K(SZRANK(F("size"))) K(F("crypto_workers"))' \
    'SZ(F("size")) ", " F("crypto_workers") " workers"' 'F("flows") T F("mpps")'
  gp fig15.png <<GNUPLOT
set title "Fig. 15: delivered rate vs number of flows ($ctx)\n$machine"
set xlabel "flows (log scale)"
set ylabel "delivered (Mpps)"
set logscale x 2
set format x "%.0f"
set autoscale xfix
set offsets graph 0.04, graph 0.04, 0, 0
set yrange [0:*]
set key bottom right
plot $(plot_series fig15 1:2 "with linespoints")
GNUPLOT
  echo "### fig15: pipeline vs flows ($ctx)"
  echo
  table "$cond" 'K(SZRANK(F("size"))) K(F("crypto_workers")) K(F("flows"))' \
    "| flows | size | workers | Mpps | ratio | drops |" \
    'F("flows") " | " SZ(F("size")) " | " F("crypto_workers") " | " F("mpps") " | " F("ratio") " | " F("drops")'
fi

# ---------------------------------------------------------------------------------------------
# Fig. 16: per-stage busy %, one bar per fig14 row with the most crypto workers; without fig14,
# the pipeline rows (unthrottled and unordered if any) with the most workers, one per size.
awkcsv '
  F("topology") == "pipeline" {
    n++; row[n] = $0; fig[n] = F("figure"); w[n] = F("crypto_workers") + 0
    plain[n] = (F("ordered") == 0 && F("offered_pps") == 0)
    if (F("figure") == "fig14") have14 = 1
    if (plain[n]) haveplain = 1
  }
  END {
    for (i = 1; i <= n; i++) {
      ok[i] = have14 ? fig[i] == "fig14" : (!haveplain || plain[i])
      if (ok[i] && w[i] > maxw) maxw = w[i]
    }
    for (i = 1; i <= n; i++) {
      if (!ok[i] || w[i] != maxw) continue
      $0 = row[i]
      if (!have14 && (F("size") in seen)) continue
      seen[F("size")] = 1
      m++
      label[m] = SZ(F("size")) ", " w[i] " workers" (have14 ? "" : " (" F("figure") ", " F("flows") " flows)")
      k = split(F("stages"), a, ";")
      for (j = 1; j <= k; j++) {
        split(a[j], b, ":")
        if (b[1] == "handshake") continue
        if (!(b[1] in known)) { known[b[1]] = 1; stages[++s] = b[1] }
        busy[b[1], m] = b[2]
      }
    }
    if (!m) exit
    line = "stage"
    for (j = 1; j <= m; j++) line = line T label[j]
    print line
    for (i = 1; i <= s; i++) {
      line = stages[i]
      for (j = 1; j <= m; j++) line = line T (((stages[i], j) in busy) ? busy[stages[i], j] : "NaN")
      print line
    }
  }' >"$tmp/fig16.dat"
if [[ -s "$tmp/fig16.dat" ]]; then
  bars=$(($(head -1 "$tmp/fig16.dat" | awk -F '\t' '{ print NF }') - 1))
  if has_figure fig14; then
    what="fig14 rows with the most crypto workers"
  else
    what="no fig14 in this CSV: pipeline rows, one per size"
  fi
  gp fig16.png <<GNUPLOT
set title "Fig. 16: per-stage busy % of the pipeline ($what)\n$machine"
set ylabel "busy (% of one core)"
set yrange [0:115<*]
set ytics 0,20
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics scale 0
set key top right
set key autotitle columnheader
gap = 1.0
plot for [i=2:$((bars + 1))] "$tmp/fig16.dat" using i:xtic(1) lt (i - 1) title columnheader(i), \
     for [i=2:$((bars + 1))] "" using (\$0 + (i - 2 - ($bars - 1) / 2.0) / ($bars + gap)):(column(i)):(sprintf("%.0f", column(i))) \
       with labels offset 0,0.7 notitle
GNUPLOT
  echo "### fig16: per-stage busy % ($what)"
  echo
  awk -F '\t' '
    NR == 1 { h = "| stage"; for (i = 2; i <= NF; i++) h = h " | " $i " busy %"; print h " |"
              s = "|---"; for (i = 2; i <= NF; i++) s = s "|---"; print s "|"; next }
    { l = "| " $1; for (i = 2; i <= NF; i++) l = l " | " $i; print l " |" }' "$tmp/fig16.dat"
  echo
fi

# ---------------------------------------------------------------------------------------------
if has_figure overload; then
  cond='F("figure") == "overload"'
  ctx="$(distinct "$cond" topology), $(count "$cond" crypto_workers "crypto worker"), $(count "$cond" flows flow)"
  series overload "$cond" 'K(SZRANK(F("size"))) K(F("crypto_workers"))' \
    'SZ(F("size")) ", " F("crypto_workers") " w"' \
    'F("offered_mpps") T F("mpps") T ST("lookup", 3) T ST("crypto0", 3) T ST("rx", 5) T ST("rx", 6) T F("offered_pps")'
  nseries="$(wc -l <"$tmp/overload.labels")"
  # Head-room above the lower panel's lines for its key.
  read -r hw_max backoff_max < <(cat "$tmp"/overload.*.dat | awk -F '\t' '
    { for (i = 3; i <= 4; i++) if ($i != "NaN" && $i > h) h = $i; if ($5 != "NaN" && $5 > b) b = $5 }
    END { printf "%g %g\n", h * 1.6 + 1, b * 1.6 + 1 }')
  # The configured rate next to each point: the measured offered load can fall short of it.
  rates=""
  for ((i = 1; i <= nseries; i++)); do
    rates+=", \"$tmp/overload.$i.dat\" using 1:2:(\$7 > 0 ? sprintf(\"%gM\", \$7 / 1e6) : \"max\") with labels rotate by -60 left offset 0.4,-0.6 font \",8\" tc rgb \"gray30\" notitle"
  done
  # One series: fixed colours per quantity; several: colour per series, dash per quantity.
  if [[ "$nseries" -eq 1 ]]; then
    upper="\"$tmp/overload.1.dat\" using 1:2 with linespoints lt 1 title \"delivered\""
    lower="\"$tmp/overload.1.dat\" using 1:3 with linespoints lt 1 title \"lookup mailbox high-water\", \
      \"\" using 1:4 with linespoints lt 3 title \"crypto0 mailbox high-water\", \
      \"\" using 1:5 axes x1y2 with linespoints lt 2 dt 2 title \"rx back-off events (y2)\""
  else
    upper="$(plot_series overload 1:2 "with linespoints" " delivered")"
    lower="$(plot_series overload 1:3 "with linespoints" " lookup hw"), \
      $(plot_series overload 1:4 "with linespoints dt 4 pt 6" " crypto0 hw"), \
      $(plot_series overload 1:5 "axes x1y2 with linespoints dt 2 pt 4" " rx back-offs (y2)")"
  fi
  gp overload.png <<GNUPLOT
set multiplot layout 2,1 title "Overload: delivered rate, mailbox high-water and rx back-off vs offered load\n$ctx; $machine"
set lmargin 10
set rmargin 12
set xrange [0:*]
set yrange [0:*]
set format x ""
set ylabel "delivered (Mpps)"
set key top left
set label 1 "point labels: configured offered rate (pps)" at graph 0.99, graph 0.07 right font ",8" tc rgb "gray30"
plot $upper, x with lines dt 3 lw 1 lc rgb "gray50" title "delivered = offered"$rates
unset label 1
set format x "%g"
set xlabel "offered load, measured (Mpps)"
set ylabel "mailbox high-water"
set y2label "rx back-off events"
set ytics nomirror
set y2tics
set yrange [0:$hw_max]
set y2range [0:$backoff_max]
set key top left
plot $lower
unset multiplot
GNUPLOT
  echo "### overload: pipeline under overload ($ctx)"
  echo
  table "$cond" 'K(SZRANK(F("size"))) K(F("crypto_workers")) sprintf("%012.4f", F("offered_mpps"))' \
    "| size | offered (configured pps) | offered Mpps | delivered Mpps | drops | port drops | lookup mailbox hw | crypto0 mailbox hw | rx back-offs | rx back-off ms |" \
    'SZ(F("size")) " | " F("offered_pps") " | " F("offered_mpps") " | " F("mpps") " | " F("drops") " | " F("port_drops") " | " ST("lookup", 3) " | " ST("crypto0", 3) " | " ST("rx", 5) " | " ST("rx", 6)'
fi

# ---------------------------------------------------------------------------------------------
if has_figure ordered; then
  cond='F("figure") == "ordered"'
  ctx="$(distinct "$cond" topology), $(count "$cond" crypto_workers "crypto worker"), $(count "$cond" flows flow)"
  # One row per size (and worker count, if several): Mpps unordered, ordered.
  nw="$(distinct "$cond" crypto_workers | awk -F/ '{ print NF }')"
  awkcsv "$cond"' {
      key = K(SZRANK(F("size"))) K(F("crypto_workers"))
      lab[key] = SZ(F("size")) (nw > 1 ? ", " F("crypto_workers") " w" : "")
      v[key, F("ordered") + 0] = F("mpps")
    }
    END {
      for (key in lab) {
        a = ((key, 0) in v) ? v[key, 0] : "NaN"; b = ((key, 1) in v) ? v[key, 1] : "NaN"
        cost = (a != "NaN" && b != "NaN" && a > 0) ? sprintf("%+.1f%%", (b / a - 1) * 100) : "n/a"
        print key T lab[key] T a T b T cost
      }
    }' -v nw="$nw" | sort -k1,1 | cut -f2- >"$tmp/ordered.dat"
  gp ordered.png <<GNUPLOT
set title "The cost of ordering: delivered rate unordered vs ordered ($ctx)\n$machine"
set ylabel "delivered (Mpps)"
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics scale 0
set key top right
plot "$tmp/ordered.dat" using 2:xtic(1) lt 1 title "unordered", "" using 3 lt 2 title "ordered", \
     "" using (\$0 - 1/6.0):2:(sprintf("%.3f", \$2)) with labels offset 0,0.7 notitle, \
     "" using (\$0 + 1/6.0):3:(sprintf("%.3f\n(%s)", \$3, strcol(4))) with labels offset 0,1.6 notitle
GNUPLOT
  echo "### ordered: the cost of ordering ($ctx)"
  echo
  echo "| size | unordered Mpps | ordered Mpps | change |"
  echo "|---|---|---|---|"
  awk -F '\t' '{ print "| " $1 " | " $2 " | " $3 " | " $4 " |" }' "$tmp/ordered.dat"
  echo
fi

# ---------------------------------------------------------------------------------------------
# Variant 1 against its ceiling: figure "single", else any rows of topology single.
if has_figure single; then
  cond='F("figure") == "single" && F("topology") == "single"'
  what="figure single"
else
  cond='F("topology") == "single"'
  what="topology single rows of figure $(awkcsv "$cond"' { print F("figure") }' | sort -u | paste -sd/ -)"
fi
if awkcsv "$cond"' { n++ } END { exit !n }'; then
  flows="$(distinct "$cond" flows)"
  nflows="$(awk -F/ '{ print NF }' <<<"$flows")"
  # Per size: Mpps and ratio per flow count, then the mean ceiling.
  awkcsv "$cond"' {
      key = K(SZRANK(F("size"))); lab[key] = SZ(F("size"))
      m[key, F("flows")] = F("mpps"); r[key, F("flows")] = F("ratio")
      cs[key] += F("ceiling_mpps"); cn[key]++
    }
    END {
      nf = split(flows, fl, "/")
      for (key in lab) {
        line = key T lab[key]
        for (j = 1; j <= nf; j++)
          line = line T (((key, fl[j]) in m) ? m[key, fl[j]] T r[key, fl[j]] : "NaN" T "NaN")
        print line T sprintf("%.4f", cs[key] / cn[key])
      }
    }' -v flows="$flows" | sort -k1,1 | cut -f2- >"$tmp/single.dat"
  ncols=$((nflows + 1))
  clauses="" labels=""
  for ((j = 1; j <= nflows; j++)); do
    f="$(cut -d/ -f"$j" <<<"$flows")"
    col=$((2 * j))
    unit="flows"
    [[ "$f" == 1 ]] && unit="flow"
    xtic=""
    [[ $j == 1 ]] && xtic=":xtic(1)"
    clauses+="${clauses:+, }\"$tmp/single.dat\" using $col$xtic lt $j title \"$f $unit\""
    labels+=", \"\" using (\$0 + ($j - 1 - ($ncols - 1) / 2.0) / ($ncols + 1)):$col:(sprintf(\"%.2f\", \$$((col + 1)))) with labels offset 0,0.7 notitle"
  done
  ccol=$((2 * nflows + 2))
  clauses+=", \"\" using $ccol lt 8 fs pattern 4 border -1 title \"ceiling: one core's seal rate\""
  labels+=", \"\" using (\$0 + ($ncols - 1 - ($ncols - 1) / 2.0) / ($ncols + 1)):$ccol:(sprintf(\"%.2f\", \$$ccol)) with labels offset 0,0.7 notitle"
  gp single.png <<GNUPLOT
set title "Variant 1 (single actor): delivered Mpps vs one core's seal rate per size ($what)\nbar labels: ratio = Mpps / ceiling (on the ceiling bar: its Mpps); $machine"
set ylabel "Mpps"
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics scale 0
set key top right
plot $clauses$labels
GNUPLOT
  echo "### single: Variant 1 against its ceiling ($what)"
  echo
  table "$cond" 'K(SZRANK(F("size"))) K(F("flows"))' \
    "| size | flows | Mpps | Gbit/s | ceiling Mpps | ratio |" \
    'SZ(F("size")) " | " F("flows") " | " F("mpps") " | " F("gbit_s") " | " F("ceiling_mpps") " | " F("ratio")'
fi

# ---------------------------------------------------------------------------------------------
if has_figure scaling; then
  cond='F("figure") == "scaling"'
  ctx="$(distinct "$cond" topology), $(count "$cond" flows flow)"
  ntopo="$(awkcsv "$cond"' { print F("topology") }' | sort -u | wc -l)"
  mapfile -t sizes < <(awkcsv "$cond"' { print K(SZRANK(F("size"))) T F("size") }' | sort -u | cut -f2)
  panels=""
  for size in "${sizes[@]}"; do
    scond="$cond && F(\"size\") == \"$size\""
    name="scaling-$(tr -c 'a-z0-9\n' _ <<<"$size")"
    series "$name" "$scond" 'K(TOPORANK(F("topology")))' \
      "$([[ $ntopo -gt 1 ]] && echo 'F("topology")' || echo '"measured"')" \
      'F("crypto_workers") T F("mpps")'
    ceil="$(awkcsv "$scond"' { s += F("ceiling_mpps"); n++ } END { printf "%.4f", s / n }')"
    label="$size B"
    [[ "$size" == imix ]] && label="imix"
    panels+="set title \"$label\"
plot $(plot_series "$name" 1:2 "with linespoints"), \"$tmp/$name.1.dat\" using 1:(\$1 * $ceil) with lines dt 2 lw 1.5 lc rgb \"black\" title \"ideal: workers x $ceil\"
"
  done
  gp scaling.png <<GNUPLOT
set multiplot layout 1,${#sizes[@]} title "Worker scaling: delivered rate vs crypto workers; dashed: workers x one core's seal rate\n$ctx; $machine"
set xlabel "crypto workers"
set ylabel "delivered (Mpps)"
set xrange [0:*]
set yrange [0:*]
set offsets 0, graph 0.05, 0, 0
set key top left
$panels
unset multiplot
GNUPLOT
  echo "### scaling: worker scaling ($ctx)"
  echo
  table "$cond" 'K(TOPORANK(F("topology"))) K(SZRANK(F("size"))) K(F("crypto_workers"))' \
    "| topology | size | workers | Mpps | ideal (workers x ceiling) | ratio/core |" \
    'F("topology") " | " SZ(F("size")) " | " F("crypto_workers") " | " F("mpps") " | " sprintf("%.3f", F("crypto_workers") * F("ceiling_mpps")) " | " F("ratio_per_core")'
fi

# ---------------------------------------------------------------------------------------------
# Other figures (smoke ...): a table only.
for fig in $(awkcsv '{ print F("figure") }' | awk '!seen[$0]++'); do
  [[ "$known" == *" $fig "* ]] && continue
  echo "### $fig"
  echo
  table "F(\"figure\") == \"$fig\"" 'K(TOPORANK(F("topology"))) K(F("crypto_workers")) K(F("ordered")) K(F("flows")) K(SZRANK(F("size"))) K(F("offered_pps"))' \
    "| topology | workers | ordered | flows | size | offered Mpps | Mpps | Gbit/s | ratio | ratio/core | drops |" \
    'F("topology") " | " F("crypto_workers") " | " F("ordered") " | " F("flows") " | " SZ(F("size")) " | " F("offered_mpps") " | " F("mpps") " | " F("gbit_s") " | " F("ratio") " | " F("ratio_per_core") " | " F("drops")'
done
