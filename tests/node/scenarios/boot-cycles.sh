# mkvm: --timeout 900
# 30 boot/shutdown cycles: no leak, no hang, the CPUs work afterwards.
. /mk/tests/lib.sh

insmod "$MK_KO"
mkctl boot --cpus 2-3 --mem 64M >/dev/null 2>&1 && mkctl shutdown >/dev/null
free1=$(memfree_kb)
failed=0
for i in $(seq 30); do
	mkctl boot --cpus 2-3 --mem 64M >/tmp/out 2>&1 || { failed=$i; break; }
	[ "$(mk_state)" = running ] || { echo "cycle $i: $(mk_state)" >>/tmp/out; failed=$i; break; }
	mkctl ping --count 2 >>/tmp/out 2>&1 || { failed=$i; break; }
	mkctl shutdown >>/tmp/out 2>&1 || { failed=$i; break; }
	[ "$(online_cpus)" = 0-3 ] || { echo "cycle $i: online $(online_cpus)" >>/tmp/out; failed=$i; break; }
done
[ "$failed" -eq 0 ] || cat /tmp/out
eq "30 cycles of boot, ping, shutdown all succeeded" 0 "$failed"
eq "nothing is held" "free" "$(mk_state)"
ok "free memory is within 1 % of its value after the first cycle" memfree_back "$free1"
ok "the CPUs run pinned tasks" cpus_schedulable 2,3
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
