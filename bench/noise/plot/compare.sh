#!/usr/bin/env bash
# The configurations side by side, from bench/noise/run's results in OUT:
# compare.png (FWQ excess over the fastest quantum; max detour, noise % and
# interrupts per second per benchmark) and detour-cdf.png (selfish detour
# lengths, all configurations and cores).
# usage: plot/compare.sh OUT
set -euo pipefail
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t ran < <(awk -F, 'NR > 1 && $2 == "ran" { print $1 }' "$out/configs.csv")
missing=$(awk -F, 'NR > 1 && $2 != "ran" { printf "%s%s: %s", (n++ ? "; " : ""), $1, $2 }' \
	"$out/configs.csv")
[ ${#ran[@]} -gt 0 ] || { echo "plot/compare.sh: no configuration ran" >&2; exit 0; }

# METRIC_COLUMN AGGREGATE(max|mean) -> rows "config fwq ftq selfish"
matrix() {
	awk -F, -v col="$1" -v agg="$2" '
	NR == 1 { next }
	$col != "" {
		k = $1 SUBSEP $3
		if (agg == "max") { if (!(k in v) || $col + 0 > v[k]) v[k] = $col + 0 }
		else { v[k] += $col; n[k]++ }
		if (!($1 in seen)) { seen[$1] = 1; order[++nc] = $1 }
	}
	END {
		for (i = 1; i <= nc; i++) {
			c = order[i]
			printf "%s", c
			split("fwq ftq selfish", b, " ")
			for (j = 1; j <= 3; j++) {
				k = c SUBSEP b[j]
				if (!(k in v)) printf " NaN"
				else printf " %g", agg == "max" ? v[k] : v[k] / n[k]
			}
			printf "\n"
		}
	}' "$out/summary.csv"
}
matrix 4 max >"$tmp/detour.dat"
matrix 5 mean >"$tmp/noise.dat"
matrix 6 mean >"$tmp/irqs.dat"

# FWQ on the first benchmark core: each sample's excess over the fastest.
fwq_series=()
for c in "${ran[@]}"; do
	f=$out/$c/fwq/fwq-cpu2.csv
	[ -f "$f" ] || continue
	awk -F, 'NR > 1 { t[NR] = $3; if (min == "" || $3 < min) min = $3 }
		END { for (i = 2; i <= NR; i++) print i - 2, t[i] - min }' "$f" >"$tmp/fwq-$c.dat"
	fwq_series+=("'$tmp/fwq-$c.dat' using 1:(\$2 > 0 ? \$2 : 0.001) with points pt 7 ps 0.3 title '$c'")
done

# Selfish detours: the cumulative fraction of detours up to each length.
cdf_series=()
for c in "${ran[@]}"; do
	for f in "$out/$c"/selfish/selfish-cpu*.csv; do
		[ -f "$f" ] && [ "$(wc -l <"$f")" -gt 1 ] || continue
		core=${f##*-cpu}
		core=${core%.csv}
		tail -n +2 "$f" | cut -d, -f3 | sort -g |
			awk '{ v[NR] = $1 } END { for (i = 1; i <= NR; i++) print v[i], i / NR }' \
				>"$tmp/cdf-$c-$core.dat"
		cdf_series+=("'$tmp/cdf-$c-$core.dat' using 1:2 with steps title '$c CPU $core'")
	done
done

names=$(printf '%s, ' "${ran[@]}")
names=${names%, }
note="Emulated node (QEMU TCG): compare within this run only; interrupt counts are real."
[ -z "$missing" ] || note="$note  Not measured: $missing."

IFS=,
gnuplot <<GP
set terminal pngcairo size 1400,900 font ",10"
set output '$out/compare.png'
set multiplot layout 2,2 title "OS noise on CPUs 2-3: $names\n{/*0.8 $note}"
set grid
set key top left

set title "FWQ, CPU 2: time above the fastest quantum"
set xlabel "sample"
set ylabel "excess (µs)"
set logscale y
$( [ ${#fwq_series[@]} -gt 0 ] && echo "plot ${fwq_series[*]}" || echo "set label 'no FWQ data' at graph 0.4,0.5; plot NaN notitle" )
unset logscale y

set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xlabel ""
set key top right

set title "longest detour per benchmark (max over CPUs 2-3)"
set yrange [0.1:*]
set ylabel "max detour (µs)"
set logscale y
plot '$tmp/detour.dat' using 2:xtic(1) title 'fwq', '' using 3 title 'ftq', '' using 4 title 'selfish'
unset logscale y

set title "noise per benchmark (mean over CPUs 2-3)"
set ylabel "noise (%)"
set yrange [0:*]
plot '$tmp/noise.dat' using 2:xtic(1) title 'fwq', '' using 3 title 'ftq', '' using 4 title 'selfish'

set title "interrupts on the benchmark core (mean over CPUs 2-3)"
set ylabel "interrupts / s"
plot '$tmp/irqs.dat' using 2:xtic(1) title 'fwq', '' using 3 title 'ftq', '' using 4 title 'selfish'
unset multiplot
GP

if [ ${#cdf_series[@]} -gt 0 ]; then
	gnuplot <<GP
set terminal pngcairo size 1000,600 font ",10"
set output '$out/detour-cdf.png'
set title "Selfish detour lengths: cumulative fraction ($names)\n{/*0.8 $note}"
set xlabel "detour length (µs)"
set ylabel "fraction of detours ≤ length"
set logscale x
set yrange [0:1.02]
set grid
set key bottom right
plot ${cdf_series[*]}
GP
fi
