# Boot the LWK on 2 cores with 256 MiB: running on both, each core's hello
# with its APIC id in the log, doorbell round trips both ways, rmmod refused
# while it runs; shutdown gives back CPUs that work and all the memory.
. /mk/tests/lib.sh

insmod "$MK_KO"
free0=$(memfree_kb)
apic2=$(apic_id_of 2)
apic3=$(apic_id_of 3)

ok "mkctl boot --cpus 2-3 --mem 256M" mkctl boot --cpus 2-3 --mem 256M
need
eq "mkctl status --json says running" "running" "$(mk_state)"
eq "sysfs state says running" "running" "$(cat /sys/kernel/mk/state)"
ok "status --json lists both cores ready" sh -c \
	'[ $(mkctl status --json | grep -c "\"state\": \"ready\"") = 2 ]'
eq "Linux runs on CPUs 0-1 only" "0-1" "$(online_cpus)"
ok "the log shows core 0's hello with APIC id $apic2" sh -c "mkctl log | grep -q 'core 0 up: APIC id $apic2 (Linux CPU 2'"
ok "the log shows core 1's hello with APIC id $apic3" sh -c "mkctl log | grep -q 'core 1 up: APIC id $apic3 (Linux CPU 3'"
ok "the log says all cores are ready" sh -c 'mkctl log | grep -q "all 2 cores ready: running"'
ok "mkctl log -f keeps following until stopped" sh -c \
	'timeout 2 mkctl log -f >/tmp/follow; [ $? -ne 0 ] && grep -q "all 2 cores ready" /tmp/follow'
ok "dmesg mirrors the LWK log" sh -c 'sleep 1; dmesg | grep -q "mk: lwk .*all 2 cores ready"'

out=$(mkctl ping --core 0 --count 20 --json)
echo "$out" >"$MK_OUT"
ok "20 doorbell round trips to core 0" sh -c "echo '$out' | grep -q '\"round_trips\": 20'"
ok "core 1 answers pings too" sh -c 'mkctl ping --core 1 --count 5 | grep -q "^5 round trips"'
ok "each core counted the doorbells it took" sh -c \
	'mkctl ping --core 1 --count 1 --json | grep -q "\"lwk_doorbells\": 6"'
# Each pong is an IPI to Linux's CPU 0. IPIs of one vector coalesce in the
# APIC while that vCPU is not running (a busy host deschedules it) and the
# pings go on from another CPU; pinged from CPU 0 itself, every round trip
# waits for CPU 0 to run, so at least half of 20 must be counted.
doorbells() { mkctl ping --core 0 --count 1 --json | sed -n 's/.*"linux_doorbells": \([0-9]*\).*/\1/p'; }
before=$(doorbells)
taskset -c 0 mkctl ping --core 0 --count 20 >/dev/null
after=$(doorbells)
ok "Linux counted the LWK's doorbells ($before before 20 pings from CPU 0, $after after)" \
	test $((after - before)) -ge 10
fails "pinging a core that does not exist" "LWK core 7 does not exist" mkctl ping --core 7
# A ping holds mk's lock: a long one ends after 10 s, and at a signal.
mkctl ping --count 1000000 >/tmp/longping 2>&1 &
ping_pid=$!
sleep 1
ok "mkctl status answers while a long ping runs" mkctl status
wait $ping_pid
ok "a ping of a million round trips stops after 10 s" grep -q "stopped after 10 s: [0-9]* of 1000000 round trips" /tmp/longping
ok "the LWK answers pings after it" mkctl ping --count 3

fails "rmmod is refused while the LWK runs" "in use|temporarily unavailable" rmmod mk
ok "the module is still loaded" test -c /dev/mk
fails "releasing the LWK's CPUs is refused" "mkctl shutdown first" mkctl release --cpus 2
fails "booting a second LWK is refused" "already running" mkctl boot
eq "still running" "running" "$(mk_state)"

ok "mkctl shutdown" mkctl shutdown
eq "state is free" "free" "$(mk_state)"
eq "all CPUs online" "0-3" "$(online_cpus)"
ok "the CPUs run pinned tasks" cpus_schedulable 2,3
ok "free memory is back" memfree_back "$free0"
ok "rmmod works after shutdown" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
