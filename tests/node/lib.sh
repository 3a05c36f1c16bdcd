# Helpers for test-node scenarios (busybox sh). A scenario sources this file,
# makes its checks, and ends with `finish`. Each check prints "ok - DESC" or
# "not ok - DESC" followed by the output of what failed.

MK_CHECKS=0
MK_FAILS=0
MK_OUT=/tmp/.check.out

# mk's tools and their libraries in the page cache before a scenario
# measures free memory: their first run would take MiBs of it (read over
# 9p) that no check should count as memory mk kept.
mkctl --help >/dev/null 2>&1
mkexec --help >/dev/null 2>&1

_pass() { MK_CHECKS=$((MK_CHECKS + 1)); echo "ok - $1"; }
_fail() {
	MK_CHECKS=$((MK_CHECKS + 1))
	MK_FAILS=$((MK_FAILS + 1))
	echo "not ok - $1"
	[ -s "$MK_OUT" ] && tail -n 30 "$MK_OUT" | sed 's/^/#   /'
	return 0
}

# ok DESC CMD...: CMD succeeds.
ok() {
	_d=$1; shift
	if "$@" >"$MK_OUT" 2>&1; then _pass "$_d"; else _fail "$_d (exit $?)"; fi
}

# fails DESC PATTERN CMD...: CMD fails, and its output matches PATTERN
# (an extended regular expression; "" matches anything).
fails() {
	_d=$1 _p=$2; shift 2
	if "$@" >"$MK_OUT" 2>&1; then
		_fail "$_d (succeeded, expected a failure)"
	elif [ -n "$_p" ] && ! grep -Eq -- "$_p" "$MK_OUT"; then
		_fail "$_d (no message matching /$_p/)"
	else
		_pass "$_d"
	fi
}

# same DESC CMD...: CMD under mkexec (with $MK_SAME_OPTS) prints the same
# (stdout and stderr) and exits with the same status as on Linux.
same() {
	_d=$1; shift
	"$@" >/tmp/.same.linux 2>&1
	_lrc=$?
	# shellcheck disable=SC2086
	mkexec ${MK_SAME_OPTS:-} "$@" >/tmp/.same.lwk 2>&1
	_krc=$?
	if [ "$_lrc" = "$_krc" ] && cmp -s /tmp/.same.linux /tmp/.same.lwk; then
		: >"$MK_OUT"; _pass "$_d"
	else
		{
			echo "exit status: Linux $_lrc, LWK $_krc"; diff /tmp/.same.linux /tmp/.same.lwk | head -n 20
			# What ended a process meanwhile: the LWK's faults, Linux's.
			mkctl log 2>/dev/null | grep -E 'signal (1[01]|[4-8]) at|ended by signal' | tail -n 5
			dmesg | grep -E 'segfault|trap|general protection' | tail -n 3
		} >"$MK_OUT"
		_fail "$_d"
	fi
}

# eq DESC EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then
		: >"$MK_OUT"; _pass "$1"
	else
		printf 'expected: %s\nactual:   %s\n' "$2" "$3" >"$MK_OUT"; _fail "$1"
	fi
}

# The kernel log holds no warning, oops or BUG since boot. Case matters:
# these are the kernel's own report headers.
MK_DMESG_BAD='WARNING: |BUG: |Oops: |general protection fault|Call Trace:|kernel BUG at|refcount_t: |list_(add|del) corruption|Unable to handle|soft lockup|hung_task|rcu_sched self-detected stall|rcu: INFO:'
dmesg_clean() {
	_bad=$(dmesg | grep -E -B1 -A12 "$MK_DMESG_BAD" | head -n 40)
	[ -z "$_bad" ] && return 0
	echo "$_bad"
	return 1
}

# Stop the scenario here if anything failed so far (later checks depend on it).
need() {
	[ "$MK_FAILS" -eq 0 ] || { echo "# stopping: an earlier check failed"; finish; }
}

finish() {
	echo "# $MK_CHECKS checks, $MK_FAILS failed"
	[ "$MK_CHECKS" -gt 0 ] || { echo "not ok - the scenario made no checks"; exit 1; }
	[ "$MK_FAILS" -eq 0 ] && exit 0
	exit 1
}

# --- partition helpers ------------------------------------------------------

# Free memory in kB: MemFree plus the free pages Linux keeps on per-CPU lists
# (/proc/zoneinfo "count:"), which MemFree leaves out. Those lists are
# drained when a CPU goes offline and by alloc_contig_range(), and refill
# within moments, so MemFree alone swings by tens of MiB on a small node.
memfree_kb() {
	echo $(($(awk '/^MemFree:/ { print $2 }' /proc/meminfo) + \
		$(awk '/^ +count:/ { n += $2 } END { print n * 4 }' /proc/zoneinfo)))
}
# MemFree (as memfree_kb) once the page cache and reclaimable slab are
# dropped: for a comparison across a scenario that has read many files
# (programs come over 9p), where the cache alone moves MemFree by over 1 %.
settled_memfree_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	memfree_kb
}
# Free memory plus the page cache, in kB: what Linux can hand out without
# swapping. A reservation that reclaims cache, or a program whose first run
# pulls its binary into the cache, moves MemFree by MiBs that this does not
# count as memory taken or given.
usable_kb() {
	echo $(($(memfree_kb) + $(awk '/^(Cached|Buffers):/ { n += $2 } END { print n }' /proc/meminfo)))
}
# The same for one NUMA node.
# Page cache (the node's programs come over 9p) and reclaimable slab are
# dropped first: what is compared is memory mk took or gave back.
node_memfree_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	echo $(($(awk '/MemFree:/ { print $4 }' "/sys/devices/system/node/node$1/meminfo") + \
		$(awk -v n="$1," '/^Node / { on = ($2 == n) } on && /^ +count:/ { s += $2 }
			END { print s * 4 }' /proc/zoneinfo)))
}
online_cpus() { cat /sys/devices/system/cpu/online; }

# wait_for_text PATTERN FILE: wait up to 30 s for FILE to hold a line
# matching PATTERN (a background program's "ready").
wait_for_text() {
	_w=0
	while [ $_w -lt 150 ] && ! grep -q "$1" "$2" 2>/dev/null; do sleep 0.2; _w=$((_w + 1)); done
}

# within PCT A B: A is within PCT percent of B.
within() {
	awk -v p="$1" -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100) }' ||
		{ echo "$2 is not within $1 % of $3"; return 1; }
}

# The value of a top-level string or number field of `mkctl status --json`.
status_field() { mkctl status --json | sed -n "s/^  \"$1\": \"*\([^\",]*\)\"*,*\$/\1/p"; }

# Every CPU in the list runs a task pinned to it.
cpus_schedulable() {
	for c in $(echo "$1" | tr ',' ' '); do
		on=$(taskset -c "$c" awk '{ print $39 }' /proc/self/stat) || return 1
		[ "$on" = "$c" ] || { echo "task pinned to CPU $c ran on CPU $on"; return 1; }
	done
}

# What a refused request must leave unchanged: mk's status and Linux's CPUs.
snapshot() { mkctl status --json; online_cpus; ls -A /run/mk/cpu 2>/dev/null | tr '\n' ' '; }

# memfree_back BEFORE_KB: free memory is back within 1 % of what it was.
memfree_back() { within 1 "$(memfree_kb)" "$1"; }

# --- LWK helpers ---------------------------------------------------------------

# The APIC id Linux knows for a CPU.
apic_id_of() { awk -v c="$1" '/^processor/ { p = $3 } /^apicid/ && p == c { print $3 }' /proc/cpuinfo; }

# The state field of `mkctl status --json`.
mk_state() { status_field state; }

# The LWK's free memory in bytes (mkctl status --json, "lwk" object).
lwk_free() { mkctl status --json | sed -n 's/^    "free_bytes": \([0-9]*\),*$/\1/p'; }
# How many programs mkctl status lists.
lwk_programs() { mkctl status --json | grep -c '"pid":'; }
