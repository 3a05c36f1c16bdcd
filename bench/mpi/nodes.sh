# On a 2-node test cluster (bench/mpi/run --nodes 2): 2 Open MPI ranks, one
# on each node, talking over TCP on the nodes' network — on Linux CPU 1 of
# each node, and under mkexec on the LWK core that was CPU 2 (mpirun, its
# daemons and mkexec on CPU 0) — rounds interleaved. On the LWK every send and receive is a forwarded socket call
# (Linux keeps the NIC). Rows come from rank 0 (mk-mpi-bench).
rounds=${1:-3}
scale=${2:-1}
for n in node0 node1; do
	ssh $n 'insmod $MK_KO && mkctl boot --cpus 2 --mem 512M >/dev/null 2>&1' ||
		{ echo "@@ failed: boot on $n"; exit 1; }
done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd /tmp
mpi="--host node0:1,node1:1 -np 2 --oversubscribe --bind-to none --mca btl tcp,self
	--mca btl_tcp_if_include 10.0.2.0/24 --mca oob_tcp_if_include 10.0.2.0/24 -x PATH -x LD_LIBRARY_PATH"
job() { # LABEL COMMAND...
	_label=$1; shift
	# shellcheck disable=SC2086 # $mpi: mpirun's options, one word each
	timeout 600 mpirun.openmpi $mpi "$@" "$_label" "$scale" >/tmp/job.out 2>&1
	cat /tmp/job.out
	grep -q "^done $_label" /tmp/job.out || echo "@@ failed: $_label"
}
echo "# each row: csv,LABEL,TEST,BYTES,ITERATIONS,USEC,MBPS from rank 0; latency is half a round trip"
for r in $(seq 1 "$rounds"); do
	job linux-tcp taskset -c 1 mk-mpi-bench-ompi
	job lwk-tcp mkexec mk-mpi-bench-ompi
done
for n in node0 node1; do ssh $n 'mkctl shutdown >/dev/null; rmmod mk'; done
