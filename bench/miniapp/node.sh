# On a test node (bench/miniapp/run): the mini-app (mk-cg, 2 Open MPI ranks
# x 2 OpenMP threads on CPUs 1-4), ROUNDS times in each configuration this
# node can run, then mk-noise's FWQ on the same 4 CPUs beside it. Linux's
# ranks are pinned to CPUs 1-2 and 3-4 (their threads bound, as a tuned
# job would be); on the LWK, mkexec gives each rank its 2 cores.
# usage: sh node.sh CONFIG ROUNDS SIZE
#   CONFIG: plain (linux, then lwk) or tuned (linux-tuned: the node was
#   booted with isolcpus=1-4 nohz_full=1-4 rcu_nocbs=1-4 by the runner)
config=$1 rounds=${2:-3} size=${3:-256}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=2
cd /tmp
# A job's rows (rank 0's), or a line saying it failed.
job() { # LABEL COMMAND...
	_label=$1; shift
	timeout 600 "$@" >/tmp/job.out 2>&1
	cat /tmp/job.out
	grep -q "^done $_label" /tmp/job.out || echo "@@ failed: $_label"
}
# FWQ on CPUs 1-4: its summary rows as "fwq,LABEL,CPU,...".
fwq() { # LABEL COMMAND-PREFIX...
	_label=$1; shift
	"$@" mk-noise --cpus 1-4 --bench fwq --fwq-samples 2000 --json >/tmp/fwq.json 2>/tmp/fwq.err ||
		{ echo "@@ failed: fwq $_label"; cat /tmp/fwq.err; return; }
	python3 -c 'import json, sys
for r in json.load(open("/tmp/fwq.json"))["results"]:
    print("fwq,%s,%d,%.4f,%.2f" % (sys.argv[1], r["cpu"], r["noise_pct"], r["max_detour_us"]))' "$_label"
}
linux_job() { # LABEL
	job "$1" mpirun.openmpi -np 2 --bind-to none -x OMP_PROC_BIND=true sh -c \
		'exec taskset -c $((1 + 2 * OMPI_COMM_WORLD_LOCAL_RANK))-$((2 + 2 * OMPI_COMM_WORLD_LOCAL_RANK)) mk-cg "$0" "$1"' \
		"$1" "$size"
}
echo "# rows: csv,LABEL,RANKS,THREADS,N,ITERATIONS,SECONDS,MEDIAN_US,P99_US,MAX_US; fwq,LABEL,CPU,NOISE_PERCENT,MAX_DETOUR_US"
if [ "$config" = tuned ]; then
	echo "# isolated: $(cat /sys/devices/system/cpu/isolated), nohz_full: $(cat /sys/devices/system/cpu/nohz_full)"
	for r in $(seq 1 "$rounds"); do linux_job linux-tuned; done
	fwq linux-tuned taskset -c 0
	exit 0
fi
for r in $(seq 1 "$rounds"); do linux_job linux; done
fwq linux taskset -c 0
insmod "$MK_KO" || { echo "@@ failed: insmod"; exit 1; }
mkctl boot --cpus 1-4 --mem 1G >/dev/null 2>&1 || { echo "@@ failed: mkctl boot"; exit 1; }
for r in $(seq 1 "$rounds"); do
	job lwk mpirun.openmpi -np 2 --oversubscribe --bind-to none mkexec mk-cg lwk "$size"
done
fwq lwk mkexec --cpus 1-4
mkctl shutdown >/dev/null
