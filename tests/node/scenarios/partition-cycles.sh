# mkvm: --timeout 900
# 100 reserve/release cycles leak nothing: free memory, CPU state and mk's
# state are as they were after the first cycle.
. /mk/tests/lib.sh

insmod "$MK_KO"
mkctl reserve --cpus 2-3 --mem 64M >/dev/null && mkctl release >/dev/null
free1=$(memfree_kb)
slab1=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)

failed=0
for i in $(seq 100); do
	mkctl reserve --cpus 2-3 --mem 64M >/dev/null 2>/tmp/err || { failed=$i; break; }
	[ "$(online_cpus)" = "0-1" ] || { echo "cycle $i: online $(online_cpus)" >/tmp/err; failed=$i; break; }
	mkctl release >/dev/null 2>/tmp/err || { failed=$i; break; }
	[ "$(online_cpus)" = "0-3" ] || { echo "cycle $i: online $(online_cpus)" >/tmp/err; failed=$i; break; }
done
[ "$failed" -eq 0 ] || cat /tmp/err
eq "100 cycles of reserve 2 CPUs + 64 MiB / release all succeeded" 0 "$failed"
eq "all CPUs online afterwards" "0-3" "$(online_cpus)"
eq "mk holds nothing" "free" "$(cat /sys/kernel/mk/state)"
ok "free memory is within 1 % of its value after the first cycle" memfree_back "$free1"
ok "slab did not grow by more than 2 MiB" test $(($(awk '/^Slab:/ { print $2 }' /proc/meminfo) - slab1)) -lt 2048
ok "the CPUs run pinned tasks" cpus_schedulable 2,3
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
