# On the test node (bench/threads/run): mk-threads-bench and mk-omp-cg
# natively on Linux CPUs 2-3, then under mkexec on the LWK cores that were
# CPUs 2-3. Each test
# runs as its own process under a time limit: a test that hangs loses only
# its own rows, which are then printed as unsupported.
rounds=${1:-1000}
limit=${2:-240}

# on SIDE PROGRAM ARGS...: PROGRAM on CPUs 2-3, natively or under mkexec.
on() {
	side=$1 prog=$2
	shift 2
	if [ "$side" = linux ]; then
		timeout -s KILL "$limit" taskset -c 2,3 "$prog" "$@" 2>&1
	else
		timeout -s KILL "$limit" mkexec --cpus 2-3 "$(command -v "$prog")" "$@" 2>&1
	fi
}

# one SIDE TEST ROW...: runs TEST, prints its output, then "unsupported" for
# each ROW the test did not print.
one() {
	side=$1 test=$2
	shift 2
	case $test in
	omp-cg-4-spin) out=$(export OMP_NUM_THREADS=4 GOMP_SPINCOUNT=300000; on "$side" mk-omp-cg "$1") ;;
	omp-cg-*) out=$(export OMP_NUM_THREADS="${test#omp-cg-}"; on "$side" mk-omp-cg "$1") ;;
	*) out=$(on "$side" mk-threads-bench "$test" "$rounds") ;;
	esac
	rc=$?
	echo "$out"
	why="exit $rc"
	[ $rc -eq 137 ] && why="killed after $limit s"
	[ $rc -eq 0 ] || echo "@@ failed: $side $test ($why)"
	for row in "$@"; do
		echo "$out" | grep -q "^$row " ||
			printf '%-22s unsupported: no result (%s)\n' "$row" "$why"
	done
}

all() { # SIDE
	one "$1" create create+join create+join-64K-stack
	one "$1" futex futex-one-way
	one "$1" sleep nanosleep-100us-over nanosleep-1ms-over nanosleep-10ms-over
	# OpenMP CG with a thread per CPU, with two threads per CPU, and with
	# two per CPU spinning 300,000 rounds before they sleep (libgomp's
	# default when it does not see more threads than CPUs).
	one "$1" omp-cg-2 omp-cg-2-threads
	one "$1" omp-cg-4 omp-cg-4-threads
	one "$1" omp-cg-4-spin omp-cg-4-threads-spin
}

echo "@@ linux"
all linux
insmod "$MK_KO" || { echo "@@ failed: insmod"; exit 1; }
mkctl boot --cpus 2-3 --mem 512M >/dev/null 2>&1 || { echo "@@ failed: mkctl boot"; exit 1; }
echo "@@ lwk"
all lwk
mkctl shutdown >/dev/null 2>&1
rmmod mk
echo "@@ end"
