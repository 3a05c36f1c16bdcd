#!/usr/bin/env bash
# The plots of one configuration's raw samples, next to them:
# fwq.png (time of each quantum vs index, per core), ftq.png (work per
# window vs time), ftq-spectrum.png, selfish.png (detour length vs time).
# usage: plot/config.sh DIR CONFIG CORE...
set -euo pipefail
dir=$1 config=$2
shift 2

rows() { [ -f "$1" ] && [ "$(wc -l <"$1")" -gt 1 ]; }

# plot OUTPUT TITLE XLABEL YLABEL LOGY USING STYLE FILE-PATTERN (%s: the core)
plot() {
	local output=$1 title=$2 xlabel=$3 ylabel=$4 logy=$5 using=$6 style=$7 pattern=$8 series=()
	for core in "${cores[@]}"; do
		local f
		f=$(printf "$pattern" "$core")
		rows "$dir/$f" && series+=("'$dir/$f' every ::1 using $using with $style title 'CPU $core'")
	done
	if [ ${#series[@]} -eq 0 ]; then
		echo "plot/config.sh: $config: no data for $output" >&2
		return
	fi
	local IFS=,
	gnuplot <<GP
set terminal pngcairo size 1100,500 font ",10"
set output '$dir/$output'
set datafile separator ","
set title "$title"
set xlabel "$xlabel"
set ylabel "$ylabel"
set grid
$( [ "$logy" = log ] && echo "set logscale y" )
plot ${series[*]}
GP
}

cores=("$@")
plot fwq.png "FWQ on $config: time of each work quantum (emulated node)" "sample" \
	"time (µs)" log '1:3' 'points pt 7 ps 0.3' 'fwq/fwq-cpu%s.csv'
plot ftq.png "FTQ on $config: work done in each window" "time (ms)" "work units" lin \
	'($2/1000):3' 'lines lw 0.5' 'ftq/ftq-cpu%s.csv'
plot ftq-spectrum.png "FTQ on $config: power spectrum of the work per window" \
	"frequency (Hz)" "power" log '1:2' 'lines lw 0.7' 'ftq/ftq-spectrum-cpu%s.csv'
plot selfish.png "Selfish detour on $config: detours over time" "time (s)" \
	"detour length (µs)" log '($2/1e6):3' 'points pt 7 ps 0.4' 'selfish/selfish-cpu%s.csv'
