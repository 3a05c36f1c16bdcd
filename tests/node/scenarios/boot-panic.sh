# A forced LWK panic: Linux survives and stays healthy, status shows the
# panic with the exception report, and shutdown recovers everything.
. /mk/tests/lib.sh

insmod "$MK_KO"
free0=$(memfree_kb)
ok "boot" mkctl boot --cpus 2-3 --mem 128M
need
ok "mkctl debug fault --core 1" mkctl debug fault --core 1
eq "status says panicked" "panicked" "$(mk_state)"
ok "status has the panic summary" sh -c 'mkctl status | grep -q "^panic    page fault at .* address 000000000dead000.* on core 1"'
ok "core 1 panicked, core 0 was halted" sh -c \
	'mkctl status --json | grep -q "\"state\": \"panicked\"" && mkctl status --json | grep -q "\"state\": \"halted\""'
ok "the log has the exception report with registers" sh -c \
	'mkctl log | grep -q "vector 14 (page fault), error code 0x2" && mkctl log | grep -q "RIP 0008:" && mkctl log | grep -q "CR2 000000000dead000"'
ok "the log has a backtrace" sh -c 'mkctl log | grep -q "backtrace (frame pointers)"'
ok "dmesg reports the panic" sh -c 'dmesg | grep -q "mk: the LWK panicked: page fault"'
ok "Linux is healthy: it computes" sh -c '[ "$(seq 1 20000 | md5sum | cut -c1-8)" = "$(seq 1 20000 | md5sum | cut -c1-8)" ]'
ok "Linux is healthy: it writes files" sh -c 'dd if=/dev/zero of=/tmp/f bs=1M count=32 2>/dev/null && rm /tmp/f'
fails "pinging a panicked LWK fails cleanly" "no LWK is running" mkctl ping
fails "rmmod is refused while the panicked LWK holds its CPUs" "in use|temporarily unavailable" rmmod mk
ok "mkctl shutdown recovers" mkctl shutdown
eq "all CPUs online" "0-3" "$(online_cpus)"
ok "the CPUs run pinned tasks" cpus_schedulable 2,3
ok "free memory is back" memfree_back "$free0"
ok "a new LWK boots after the panic" mkctl boot --cpus 2-3 --mem 128M
ok "and runs" sh -c '[ "$(mkctl status --json | sed -n "s/^  \"state\": \"\(.*\)\",/\1/p")" = running ]'
ok "shutdown" mkctl shutdown
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
