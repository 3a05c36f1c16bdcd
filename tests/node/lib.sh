# Helpers for test-node scenarios (busybox sh). A scenario sources this file,
# makes its checks, and ends with `finish`. Each check prints "ok - DESC" or
# "not ok - DESC" followed by the output of what failed.

MK_CHECKS=0
MK_FAILS=0
MK_OUT=/tmp/.check.out

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

# eq DESC EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then
		: >"$MK_OUT"; _pass "$1"
	else
		printf 'expected: %s\nactual:   %s\n' "$2" "$3" >"$MK_OUT"; _fail "$1"
	fi
}

# The kernel log holds no warning, oops or BUG since boot.
dmesg_clean() {
	! dmesg | grep -E -i -A8 'WARNING:|BUG:|Oops|general protection|Call Trace|kernel BUG|refcount_t|list_(add|del) corruption|unable to handle|soft lockup|hung_task|RCU stall'
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
