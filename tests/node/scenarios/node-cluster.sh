# mkvm: --nodes 2 --cpus 2 --mem 1G --timeout 600
# Two test nodes on their private network: names, ssh as root without a
# password both ways, separate file systems, and mk working on node1 as on
# a single node.
. /mk/tests/lib.sh

eq "this is node0" "node0" "$(hostname)"
eq "ssh node1 hostname prints node1" "node1" "$(ssh node1 hostname)"
eq "node1 reaches node0 by name" "node0" "$(ssh node1 ssh node0 hostname)"
eq "both names resolve on node1" "10.0.2.1 10.0.2.2" \
	"$(ssh node1 'getent hosts node0 node1' | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//')"
eq "a command's exit status comes back over ssh" "3" "$(ssh node1 'exit 3'; echo $?)"

ok "node1 writes a file" ssh node1 'echo "from node1" >/root/mk-probe && echo x >/tmp/mk-probe'
eq "node1 reads it back" "from node1" "$(ssh node1 cat /root/mk-probe)"
ok "node0 does not see node1's /root file" test ! -e /root/mk-probe
ok "nor its /tmp file" test ! -e /tmp/mk-probe
ok "node1 runs a kernel of its own" sh -c "[ \"\$(ssh node1 cat /proc/sys/kernel/random/boot_id)\" != \"$(cat /proc/sys/kernel/random/boot_id)\" ]"

# node1 boots its own LWK, as a single node would.
native=$(ssh node1 '$MK_PROGS/hello')
ok "mk.ko loads on node1" ssh node1 'insmod $MK_KO'
ok "node1 boots the LWK on CPU 1" ssh node1 'mkctl boot --cpus 1 --mem 64M'
eq "a program on node1's LWK prints what it prints on Linux" "$native" "$(ssh node1 'mkexec $MK_PROGS/hello')"
eq "node1's LWK is running" "running" "$(ssh node1 cat /sys/kernel/mk/state)"
ok "node0 has no LWK" test ! -e /sys/kernel/mk/state
ok "node1 shuts its LWK down" ssh node1 'mkctl shutdown && rmmod mk'
eq "node1 has its CPUs back" "0-1" "$(ssh node1 cat /sys/devices/system/cpu/online)"

ok "the kernel log is clean" dmesg_clean
ok "and node1's" ssh node1 ". $MK_TESTS/lib.sh; dmesg_clean"
finish
