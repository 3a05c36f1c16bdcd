# On the test node (bench/exec/run): the start-up of a static and a
# dynamic program, natively on Linux CPU 1 and under mkexec on the LWK core
# that was CPU 2, interleaved round by round so that drift hits both alike.
n=${1:-20}
rounds=${2:-5}
insmod "$MK_KO" || { echo "@@ failed: insmod"; exit 1; }
mkctl boot --cpus 2-3 --mem 1G >/dev/null 2>&1 || { echo "@@ failed: mkctl boot"; exit 1; }
bin=$(dirname "$(command -v mk-exec-bench)")
mkexec=$(command -v mkexec)
echo "# each row: NAME SAMPLES MIN MEDIAN P99 MAX, microseconds from spawn to exit"
for r in $(seq 1 "$rounds"); do
	taskset -c 1 mk-exec-bench linux-static-true "$n" "$bin/mk-true-static"
	mk-exec-bench lwk-static-true "$n" "$mkexec" "$bin/mk-true-static"
	taskset -c 1 mk-exec-bench linux-dynamic-true "$n" /bin/true
	mk-exec-bench lwk-dynamic-true "$n" "$mkexec" /bin/true
	taskset -c 1 mk-exec-bench linux-static-100MiB-bss "$n" "$bin/mk-bss-static"
	mk-exec-bench lwk-static-100MiB-bss "$n" "$mkexec" "$bin/mk-bss-static"
done
