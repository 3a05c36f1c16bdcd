# Runs on a test node (see bench/partition/run): how large are the chunks
# each memory policy finds, on a fresh node and after the node has aged?
# Prints "csv,..." lines: phase,policy,requested_mib,chunks,largest_mib,
# smallest_mib,seconds. Times are emulated: compare within one run only.
size_mib=${1:-512}

now_cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }

measure() { # PHASE POLICY
	t0=$(now_cs)
	if ! mkctl reserve --mem "${size_mib}M" --policy "$2" >/dev/null 2>/tmp/err; then
		echo "csv,$1,$2,$size_mib,failed,,,"
		cat /tmp/err >&2
		return
	fi
	t1=$(now_cs)
	awk -v phase="$1" -v pol="$2" -v req="$size_mib" -v cs=$((t1 - t0)) '
		/^\+/ { next }
		{ n++; b = $4 / 1048576; if (b > max) max = b; if (min == 0 || b < min) min = b }
		END { printf "csv,%s,%s,%d,%d,%d,%d,%.2f\n", phase, pol, req, n, max, min, cs / 100 }
	' /sys/kernel/mk/memory_chunks
	mkctl release --mem >/dev/null
}

# Ages the node: fills tmpfs with small files and slab with inodes and
# dentries, then frees every other one, leaving movable and unmovable pages
# scattered through memory.
age() {
	mkdir -p /tmp/age
	i=0
	while [ $i -lt 6000 ]; do
		head -c 40960 /dev/zero >/tmp/age/f$i
		mkdir /tmp/age/d$i
		: >/tmp/age/d$i/a; : >/tmp/age/d$i/b; : >/tmp/age/d$i/c
		i=$((i + 1))
	done
	i=0
	while [ $i -lt 6000 ]; do
		rm -rf /tmp/age/f$i /tmp/age/d$i
		i=$((i + 2))
	done
}

insmod "$MK_KO"
echo "csv,phase,policy,requested_mib,chunks,largest_mib,smallest_mib,seconds"
measure fresh buddy
measure fresh contig
age
grep -E '^(MemFree|Shmem|Slab):' /proc/meminfo | sed 's/^/# aged: /'
measure aged buddy
measure aged contig
measure aged buddy
rmmod mk
