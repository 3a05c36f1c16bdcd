# On the test node (bench/mpi/run): 2 MPI ranks on Linux CPUs 0-1 and 2
# ranks under mkexec on the LWK cores that were CPUs 2-3, with Debian's
# Open MPI and MPICH, interleaved round by round so that drift hits all
# alike. Rows come from rank 0 (mk-mpi-bench); a job that hangs after its
# "done" line has still reported.
# MPICH's UCX gets its shared-memory transports only (UCX_TLS=sm,self, on
# Linux too): its TCP transport would poll sockets in every progress call,
# which on the LWK is a forwarded epoll_wait each (docs/mpi.md).
rounds=${1:-3}
scale=${2:-1}
insmod "$MK_KO" || { echo "@@ failed: insmod"; exit 1; }
mkctl boot --cpus 2-3 --mem 1G >/dev/null 2>&1 || { echo "@@ failed: mkctl boot"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd /tmp
job() { # LABEL COMMAND...
	_label=$1; shift
	timeout 240 "$@" "$_label" "$scale" >/tmp/job.out 2>&1
	cat /tmp/job.out
	grep -q "^done $_label" /tmp/job.out || echo "@@ failed: $_label (exit $?)"
}
echo "# each row: csv,LABEL,TEST,BYTES,ITERATIONS,USEC,MBPS from rank 0; latency is half a round trip"
for r in $(seq 1 "$rounds"); do
	job linux-ompi mpirun.openmpi -np 2 --bind-to core mk-mpi-bench-ompi
	job lwk-ompi mpirun.openmpi -np 2 --oversubscribe --bind-to none mkexec mk-mpi-bench-ompi
	job linux-mpich env UCX_TLS=sm,self mpirun.mpich -np 2 -bind-to core mk-mpi-bench-mpich
	job lwk-mpich env UCX_TLS=sm,self mpirun.mpich -np 2 mkexec mk-mpi-bench-mpich
done
