# mkvm: --nodes 2 --cpus 3 --mem 1536M --timeout 900
# An MPI job across two test nodes: each node boots its LWK on 2 cores,
# Open MPI's mpirun starts 2 ranks per node through its ssh launcher, the
# ranks talk over TCP between the nodes (forwarded socket calls) and
# through shared memory within a node; the results are those of the same
# job on Linux, each rank on its own LWK core, nothing left behind.
. /mk/tests/lib.sh

for n in node0 node1; do
	ok "$n: mk.ko loads and the LWK boots on CPUs 1-2" ssh $n 'insmod $MK_KO && mkctl boot --cpus 1-2 --mem 512M >/dev/null'
done
need
cd "$MK_PROGS"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Ranks over TCP on the nodes' network (not loopback); mkexec waits on CPU 0.
mpirun_2x2() {
	timeout 400 mpirun.openmpi --host node0:2,node1:2 -np 4 --oversubscribe --bind-to none \
		--mca btl tcp,vader,self --mca btl_tcp_if_include 10.0.2.0/24 --mca oob_tcp_if_include 10.0.2.0/24 \
		-x PATH -x LD_LIBRARY_PATH "$@"
}
native=$(mpirun_2x2 ./mpi_check_ompi 2>&1 | grep '^rank')
out=$(mpirun_2x2 mkexec ./mpi_check_ompi 2>&1)
eq "2 nodes x 2 ranks under mkexec: exit status 0" 0 "$?"
eq "the job's results are Linux's (ring and collectives across the nodes)" "$native" "$(echo "$out" | grep '^rank')"
eq "each rank on its own LWK core of its node" "cpus of rank 0: 1
cpus of rank 1: 2
cpus of rank 2: 1
cpus of rank 3: 2" "$(echo "$out" | grep '^cpus')"
for n in node0 node1; do
	eq "$n: no program is left on its LWK" 0 "$(ssh $n '. $MK_TESTS/lib.sh; lwk_programs')"
	ok "$n: shutdown and rmmod" ssh $n 'mkctl shutdown >/dev/null && rmmod mk'
	ok "$n: the kernel log is clean" ssh $n '. $MK_TESTS/lib.sh; dmesg_clean'
done
finish
