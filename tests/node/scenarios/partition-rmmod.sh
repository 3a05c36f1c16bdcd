# rmmod with a partition still reserved gives everything back.
. /mk/tests/lib.sh

insmod "$MK_KO"
free0=$(memfree_kb)
ok "reserve 2 CPUs and 256 MiB" mkctl reserve --cpus 2-3 --mem 256M
eq "Linux has CPUs 0-1" "0-1" "$(online_cpus)"
ok "rmmod mk with the partition reserved" rmmod mk
eq "all CPUs are online again" "0-3" "$(online_cpus)"
ok "the CPUs run pinned tasks" cpus_schedulable 2,3
ok "free memory is back" memfree_back "$free0"
ok "/sys/kernel/mk is gone" test ! -e /sys/kernel/mk
ok "the module loads again and holds nothing" sh -c 'insmod "$MK_KO" && [ "$(cat /sys/kernel/mk/state)" = free ]'
ok "and can reserve again" sh -c 'mkctl reserve --cpus 2 --mem 32M >/dev/null && mkctl release >/dev/null'
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
