# mkvm: --numa 2 --cpus 4 --mem 2G
# NUMA placement of LWK programs' memory: on a two-node machine (node 0:
# CPUs 0-1, node 1: CPUs 2-3) with LWK cores and memory on both nodes, a
# program's pages (data, .bss, heap, mmap, stack) lie on its core's node,
# as a Linux process's lie on the node it first touched them from, and
# get_mempolicy/move_pages say so as on Linux; MPI ranks get a node each
# with their memory there; a program larger than its node's LWK memory
# goes on with the next node's.
. /mk/tests/lib.sh

insmod "$MK_KO"
ok "boot the LWK on CPU 1 (node 0) and CPU 3 (node 1), 128 MiB on each node" \
	mkctl boot --cpus 1,3 --mem 128M@0,128M@1
need
free0=$(lwk_free)
cd "$MK_PROGS"

# Linux, first touch: a process on CPU 2 has its pages on node 1, on CPU 0 on node 0.
linux1=$(taskset -c 2 ./numa_where)
linux0=$(taskset -c 0 ./numa_where)
eq "Linux on CPU 2: every page on node 1 (the check itself sees nodes)" 5 \
	"$(echo "$linux1" | grep -c ': node 1 (move_pages: 1)$')"
eq "an LWK program on CPU 3: its pages where Linux's are on CPU 2 (node 1)" "$linux1" \
	"$(mkexec --cpus 3-3 ./numa_where)"
eq "on CPU 1: where Linux's are on CPU 0 (node 0)" "$linux0" "$(mkexec --cpus 1-1 ./numa_where)"
eq "memory allowed on the nodes that hold LWK memory, as on Linux" \
	"$(./numa_where allowed)" "$(mkexec ./numa_where allowed)"

# MPI ranks (the local-rank variables of Open MPI): one core each, in
# topology order, and their memory on their core's node.
rank() { OMPI_COMM_WORLD_LOCAL_RANK=$1 OMPI_COMM_WORLD_LOCAL_SIZE=2 mkexec ./numa_where | grep '^heap'; }
eq "rank 0 of 2: its memory on node 0, rank 1: on node 1" \
	"heap: node 0 (move_pages: 0) heap: node 1 (move_pages: 1)" "$(rank 0) $(rank 1)"

# More than node 1's LWK memory on CPU 3: node 1's first, then node 0's.
out=$(mkexec --cpus 3-3 ./numa_where spread 160)
eq "160 MiB on CPU 3 with 128 MiB on its node: the program runs" 0 "$?"
ok "... most of it on node 1, the rest on node 0" sh -c "
	n1=\$(echo '$out' | sed -n 's/^node 1: \([0-9]*\) MiB/\1/p'); n0=\$(echo '$out' | sed -n 's/^node 0: \([0-9]*\) MiB/\1/p')
	[ \"\${n1:-0}\" -ge 100 ] && [ \"\${n0:-0}\" -ge 32 ]"

eq "moving pages between nodes is refused clearly (ENOSYS)" "move_pages: Function not implemented" \
	"$(mkexec ./numa_where move 2>&1)"
eq "asking where another process's pages lie is refused (EPERM)" "move_pages: Operation not permitted" \
	"$(mkexec ./numa_where of 1 2>&1)"
eq "the LWK's free memory is back" "$free0" "$(lwk_free)"
ok "shutdown" mkctl shutdown
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
