# Runs on a test node (see bench/noise/run): mk-noise's FWQ, FTQ and selfish
# detour on CPUs 2-3, one configuration after the other, with the interrupts
# those CPUs took during each benchmark. Each configuration's results come
# out as a base64 tar.gz between "@@noise-archive-begin CONFIG" and
# "@@noise-archive-end CONFIG" lines on the console.
# usage: sh node.sh CONFIG... [-- MK-NOISE-OPTIONS...]
#   CONFIG: linux or linux-tuned (Linux runs the benchmark; the two differ by
#           the node's kernel command line, which the runner sets), or lwk.
# Times are emulated: compare them within one run only. Interrupt counts are
# real.
cpus=2-3
benches="fwq ftq selfish"
work=/tmp/noise

configs=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	configs="$configs $1"
	shift
done
[ "$1" = "--" ] && shift
noise_opts="$*"

uptime_s() { awk '{ print $1 }' /proc/uptime; }

# status CONFIG WORD [REASON]: ran, unavailable or failed, for the runner.
status() {
	echo "$2${3:+: $3}" >"$work/$1/status"
	echo "node: $1: $2${3:+: $3}"
}

node_info() { # CONFIG
	{
		echo "config: $1"
		echo "kernel: $(uname -r)"
		echo "cmdline: $(cat /proc/cmdline)"
		echo "isolated: $(cat /sys/devices/system/cpu/isolated 2>/dev/null)"
		echo "nohz_full: $(cat /sys/devices/system/cpu/nohz_full 2>/dev/null)"
		echo "online: $(cat /sys/devices/system/cpu/online)"
		echo "benchmark cpus: $cpus"
		echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
	} >"$work/$1/node.txt"
}

# irq_delta BENCH SECONDS BEFORE AFTER: per source and benchmark CPU, the
# interrupts taken between two /proc/interrupts snapshots, as CSV rows
# bench,cpu,source,description,count,seconds (sources with a count only).
irq_delta() {
	awk -v bench="$1" -v secs="$2" -v list="$(echo "$cpus" | tr ',-' ' :')" '
	BEGIN {
		n = 0
		split(list, parts, " ")
		for (p in parts) {
			if (split(parts[p], r, ":") == 2) { for (c = r[1]; c <= r[2]; c++) want[n++] = c }
			else want[n++] = parts[p]
		}
	}
	FNR == 1 {
		file++
		delete col
		ncpu = NF
		for (i = 1; i <= NF; i++) col[$i] = i + 1
		next
	}
	NF >= ncpu + 1 {
		src = $1
		sub(/:$/, "", src)
		desc = ""
		for (i = ncpu + 2; i <= NF; i++) desc = desc (desc == "" ? "" : " ") $i
		gsub(/,/, ";", desc)
		for (k = 0; k < n; k++) {
			f = col["CPU" want[k]]
			if (!f) continue
			key = src SUBSEP want[k]
			if (file == 1) { before[key] = $f; continue }
			d = $f - before[key]
			if (d > 0) printf "%s,%d,%s,%s,%d,%s\n", bench, want[k], src, desc, d, secs
		}
	}' "$3" "$4"
}

# run_bench CONFIG BENCH COMMAND...: one benchmark, its interrupts counted
# with the snapshot function in $snapshot.
run_bench() {
	config=$1 bench=$2
	shift 2
	dir=$work/$config
	echo "node: $config: $bench on CPUs $cpus"
	$snapshot >"$dir/irq-before-$bench.txt"
	t0=$(uptime_s)
	"$@" --cpus "$cpus" --bench "$bench" --out "$dir/$bench" $noise_opts --json \
		>"$dir/$bench/result.json" 2>"$dir/$bench/stderr.txt"
	rc=$?
	t1=$(uptime_s)
	$snapshot >"$dir/irq-after-$bench.txt"
	if [ $rc -ne 0 ]; then
		cat "$dir/$bench/stderr.txt"
		return 1
	fi
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	irq_delta "$bench" "$secs" "$dir/irq-before-$bench.txt" "$dir/irq-after-$bench.txt" \
		>>"$dir/irqs.csv"
}

prepare() { # CONFIG
	mkdir -p "$work/$1"
	for b in $benches; do mkdir -p "$work/$1/$b"; done
	echo "bench,cpu,source,description,count,seconds" >"$work/$1/irqs.csv"
	node_info "$1"
}

emit() { # CONFIG
	echo "@@noise-archive-begin $1"
	tar -czf - -C "$work" "$1" | base64
	echo "@@noise-archive-end $1"
}

# --- linux, linux-tuned: the benchmark as a Linux process ---------------------
proc_interrupts() { cat /proc/interrupts; }

run_linux() { # CONFIG
	prepare "$1"
	echo "proc" >"$work/$1/irq-source"
	snapshot=proc_interrupts
	for b in $benches; do
		# The main thread waits on CPU 0; the measuring threads pin
		# themselves to the benchmark CPUs.
		if ! run_bench "$1" "$b" taskset -c 0 mk-noise; then
			status "$1" failed "mk-noise $b exited non-zero"
			return
		fi
	done
	status "$1" ran
}

# --- lwk: the benchmark on LWK cores through mkexec ---------------------------
# mk-noise is the same static binary. The LWK's own per-core interrupt
# counters come from `mkctl status --json` (per LWK core: "cpu" and
# "irqs"); /proc/interrupts no longer lists CPUs Linux gave to the LWK.
lwk_interrupts() {
	mkctl status --json 2>/dev/null | awk '
	/"cpu":/ { gsub(/[^0-9]/, "", $2); cpu = $2 }
	/"irqs":/ && cpu != "" {
		gsub(/[^0-9]/, "", $2)
		head = head " CPU" cpu
		counts = counts " " $2
		cpu = ""
	}
	END { if (head != "") printf "      %s\nLWK:%s LWK interrupts\n", head, counts }'
}

run_lwk() {
	prepare lwk
	if ! command -v mkexec >/dev/null 2>&1; then
		status lwk unavailable "mkexec is not on this node (mk cannot start programs on the LWK yet)"
		return
	fi
	if ! insmod "$MK_KO"; then
		status lwk failed "insmod mk.ko failed"
		return
	fi
	if ! mkctl boot --cpus "$cpus" --mem 256M >"$work/lwk/boot.txt" 2>&1; then
		cat "$work/lwk/boot.txt"
		status lwk failed "mkctl boot --cpus $cpus --mem 256M failed"
		rmmod mk
		return
	fi
	if lwk_interrupts | grep -q '^LWK: [0-9]'; then
		echo "lwk" >"$work/lwk/irq-source"
	else
		echo "none" >"$work/lwk/irq-source"
	fi
	snapshot=lwk_interrupts
	result=ran
	for b in $benches; do
		if ! run_bench lwk "$b" mkexec --cpus "$cpus" "$(command -v mk-noise)"; then
			result="failed: mkexec mk-noise $b exited non-zero"
			break
		fi
	done
	mkctl shutdown >>"$work/lwk/boot.txt" 2>&1
	rmmod mk
	status lwk "${result%%:*}" "$(echo "$result" | sed -n 's/^[^:]*: //p')"
}

for c in $configs; do
	case $c in
	linux|linux-tuned) run_linux "$c" ;;
	lwk) run_lwk ;;
	*) echo "node: unknown configuration '$c'" >&2; exit 2 ;;
	esac
	emit "$c"
done
