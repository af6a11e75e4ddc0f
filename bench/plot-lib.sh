# shellcheck shell=bash
# Shared by the bench/plot-*.sh scripts (sourced): `plot_start "$0" "$@"` checks the usage
# (CSV OUTDIR) and gnuplot, makes OUTDIR and sets csv, out and tmp (a scratch directory removed
# on exit).
plot_start() {
  local script="$1"
  shift
  if [[ $# -ne 2 ]]; then
    echo "usage: $script CSV OUTDIR" >&2
    exit 2
  fi
  csv="$1"
  out="$2"
  [[ -r "$csv" ]] || { echo "$script: cannot read $csv" >&2; exit 2; }
  command -v gnuplot >/dev/null ||
    { echo "$script: needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 2; }
  mkdir -p "$out"
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064  # expand $tmp now: the trap runs after this function returns
  trap "rm -rf '$tmp'" EXIT
}
