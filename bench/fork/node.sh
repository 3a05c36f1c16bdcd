# On the test node (bench/fork/run): fork, fork+exec, posix_spawn and the
# fork of a process with MIB MiB touched, natively on Linux CPU 1 and under
# mkexec on the LWK core that was CPU 2 (its children run on Linux,
# --fork=linux, or on the LWK, on its core, --fork=same: lwk-same rows),
# interleaved round by round so that drift hits them alike.
n=${1:-50}
rounds=${2:-3}
mib=${3:-1024}
insmod "$MK_KO" || { echo "@@ failed: insmod"; exit 1; }
mkctl boot --cpus 2-3 --mem 3G >/dev/null 2>&1 || { echo "@@ failed: mkctl boot"; exit 1; }
echo "# each row: NAME SAMPLES MIN MEDIAN P99 MAX, microseconds from the call to the child's end (waitpid)"
for r in $(seq 1 "$rounds"); do
	taskset -c 1 mk-fork-bench linux "$n" /bin/true "$mib" 3 || echo "@@ failed: linux round $r"
	mkexec --fork=linux --cpus 2-2 mk-fork-bench lwk "$n" /bin/true "$mib" 3 || echo "@@ failed: lwk round $r"
	mkexec --fork=same --cpus 2-2 mk-fork-bench lwk-same "$n" /bin/true "$mib" 3 ||
		echo "@@ failed: lwk-same round $r"
done
