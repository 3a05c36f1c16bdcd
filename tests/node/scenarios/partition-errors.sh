# Bad requests get a clear error, a non-zero exit, and change nothing.
. /mk/tests/lib.sh

insmod "$MK_KO"
free0=$(memfree_kb)
state0=$(snapshot)

# refused WHAT REGEX CMD...: CMD fails with a message matching REGEX and
# neither mk's status nor Linux's CPUs changed.
refused() {
	_what=$1 _re=$2; shift 2
	fails "$_what is refused" "$_re" "$@"
	eq "$_what changed nothing" "$state0" "$(snapshot)"
}

refused "CPU 0" "CPU 0 cannot be reserved" mkctl reserve --cpus 0
refused "CPU 0 within a list" "CPU 0 cannot be reserved" mkctl reserve --cpus 0-1
refused "all CPUs" "CPU 0 cannot be reserved" mkctl reserve --cpus 0-3
refused "a CPU that does not exist" "CPU 9 does not exist.*0-3" mkctl reserve --cpus 2,9
refused "a CPU beyond the ABI" "out of range" mkctl reserve --cpus 5000
refused "a malformed CPU list (2-)" "malformed CPU list" mkctl reserve --cpus 2-
refused "a malformed CPU list (x)" "malformed CPU list '2,x'" mkctl reserve --cpus 2,x
refused "a reversed range" "reversed" mkctl reserve --cpus 3-2
refused "size 0" "greater than 0" mkctl reserve --mem 0
refused "size 0M on a node" "greater than 0" mkctl reserve --mem 0M@0
refused "a malformed size" "unknown unit" mkctl reserve --mem 12Q
refused "more memory than the node has free" "can spare [0-9]+ MiB now, not 65536 MiB" \
	mkctl reserve --mem 64G
refused "an unknown NUMA node" "NUMA node 5 does not exist" mkctl reserve --mem 64M@5
refused "@auto without CPUs" "reserve CPUs first" mkctl reserve --mem 64M@auto
refused "too many auto cores" "cannot choose 4 cores: 3 can be given" mkctl reserve --cpus auto:4
refused "nothing to reserve" "nothing to reserve" mkctl reserve
refused "an unknown option" "unrecognised option|unknown option" mkctl reserve --cpu 2
refused "a non-root caller" "permission denied" su nobody -s /bin/sh -c 'mkctl status'
refused "a non-root caller reserving" "permission denied" \
	su nobody -s /bin/sh -c 'mkctl reserve --cpus 2'
refused "releasing a CPU mk does not hold" "CPU 2 is not reserved by mk" mkctl release --cpus 2

# All or nothing: CPUs taken in the same call are given back if memory fails.
refused "CPUs with too much memory" "can spare" mkctl reserve --cpus 2-3 --mem 64G
refused "CPUs with memory on an unknown node" "NUMA node 7" mkctl reserve --cpus 2 --mem 8M@7

# A CPU Linux offlined itself is not mk's to take.
echo 0 > /sys/devices/system/cpu/cpu3/online
state0=$(snapshot)
refused "a CPU offline for another reason" "CPU 3 is offline but not reserved by mk" \
	mkctl reserve --cpus 2-3
echo 1 > /sys/devices/system/cpu/cpu3/online
state0=$(snapshot)

# An already-reserved CPU.
mkctl reserve --cpus 2 >/dev/null
state0=$(snapshot)
refused "an already-reserved CPU" "CPU 2 is already reserved by mk" mkctl reserve --cpus 2-3
eq "CPU 3 was not taken by the refused call" "0-1,3" "$(online_cpus)"
mkctl release >/dev/null

ok "after all that, free memory is what it was" memfree_back "$free0"
eq "after all that, all CPUs are Linux's" "0-3" "$(online_cpus)"
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
