# mkctl status lists running programs; a killed mkexec takes its program
# with it (also one stopped while its program ended); two programs run at
# once on their own cores; shutting the LWK down ends a running program cleanly; NMIs to LWK cores (idle, or in a
# program) are logged and change nothing.
. /mk/tests/lib.sh

insmod "$MK_KO"
ok "boot the LWK on CPUs 2-3" mkctl boot --cpus 2-3 --mem 512M
need
# Free memory right after boot: all of it must come back.
free0=$(lwk_free)

mkexec --cpus 3-3 /bin/busybox sleep 5 &
pid=$!
sleep 1
ok "mkctl status lists the program, its user, CPU and memory" sh -c \
	"mkctl status | grep -E '^ +$pid +root +3 +[0-9.]+ [KMG]iB +/bin/busybox'"
ok "mkctl status --json lists it too" sh -c "mkctl status --json | grep -q '\"pid\": $pid'"
kill -9 $pid
wait $pid
eq "mkexec killed with SIGKILL exits 137" 137 "$?"
sleep 1
eq "its program is gone from the LWK" 0 "$(lwk_programs)"
eq "its memory is back in the LWK" "$free0" "$(lwk_free)"
ok "its core runs the next program" mkexec --cpus 3-3 "$MK_PROGS/hello"
# A program that ends while its mkexec is stopped (the exit waits unread),
# then mkexec is killed: the process is freed all the same, its core too.
mkexec --cpus 3-3 /bin/busybox sleep 1 &
pid=$!
i=0; while [ "$(lwk_programs)" != 1 ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
kill -STOP $pid
sleep 3
kill -9 $pid
wait $pid
ok "a program ended while its mkexec was stopped, then mkexec killed: its core runs the next" \
	mkexec --cpus 3-3 "$MK_PROGS/hello"

mkexec --cpus 2-2 "$MK_PROGS/memstress" >/tmp/a &
a=$!
mkexec --cpus 3-3 "$MK_PROGS/memstress" >/tmp/b &
b=$!
wait $a; ra=$?
wait $b; rb=$?
eq "two programs at once on disjoint cores both succeed" "0 0" "$ra $rb"
eq "both computed the same result" "$(cat /tmp/a)" "$(cat /tmp/b)"
# The second asks only once the first is listed as running (a loaded node
# may take more than a moment to start it).
fails "a third on a busy core is refused" "running another LWK program" sh -c \
	"mkexec --cpus 2-2 /bin/busybox sleep 6 & i=0
	 while [ \$i -lt 50 ] && ! mkctl status --json | grep -q '\"pid\":'; do sleep 0.2; i=\$((i + 1)); done
	 mkexec --cpus 2-2 $MK_PROGS/hello; r=\$?; wait; exit \$r"
# --oversubscribe: two threaded programs share one core, both to the end
# (their threads take turns), and the core is free again after both.
mkexec --cpus 2-2 --oversubscribe "$MK_PROGS/memstress" >/tmp/a &
a=$!
i=0
while [ $i -lt 50 ] && ! mkctl status --json | grep -q '"pid":'; do sleep 0.2; i=$((i + 1)); done
mkexec --cpus 2-2 --oversubscribe "$MK_PROGS/memstress" >/tmp/b &
b=$!
wait $a; ra=$?
wait $b; rb=$?
eq "two programs sharing one core with --oversubscribe both succeed" "0 0" "$ra $rb"
eq "... with the same result" "$(cat /tmp/a)" "$(cat /tmp/b)"
ok "... and the core is free again" mkexec --cpus 2-2 "$MK_PROGS/hello"
fails "--oversubscribe does not join a program that has its core alone" "one that does not share it" sh -c \
	"mkexec --cpus 2-2 /bin/busybox sleep 6 & i=0
	 while [ \$i -lt 50 ] && ! mkctl status --json | grep -q '\"pid\":'; do sleep 0.2; i=\$((i + 1)); done
	 mkexec --cpus 2-2 --oversubscribe $MK_PROGS/hello; r=\$?; wait; exit \$r"
fails "more cores than the LWK has are refused" "3 LWK cores asked for" mkexec --cpus 3 "$MK_PROGS/hello"
fails "a CPU that is not an LWK core is refused" "CPU 1 is not an LWK core" mkexec --cpus 1-1 "$MK_PROGS/hello"

# NMIs (mkctl debug nmi): a core logs where it was, idle in its kernel or
# in a program's user mode, and goes on; the program does not notice.
ok "an NMI to the idle LWK core 0" mkctl debug nmi --core 0
mkexec --cpus 3-3 /bin/busybox sh -c \
	'i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); done; echo $i' >/tmp/n &
pid=$!
# The loop takes seconds here (about 1 s per 20,000 rounds under emulation).
sleep 0.5
for i in 1 2 3; do mkctl debug nmi --core 1; sleep 0.2; done
wait $pid
eq "a program computing through three NMIs ends as without them" "0 100000" "$? $(cat /tmp/n)"
mkctl log | grep 'NMI at' | sed 's/^/# /'
eq "core 0 logged its NMI in kernel mode" 1 "$(mkctl log | grep -c 'c0: NMI at [0-9a-f]* in kernel mode')"
eq "core 1 logged three NMIs" 3 "$(mkctl log | grep -c 'c1: NMI at [0-9a-f]* in ')"
ok "core 1 was in the program (user mode) for at least one" sh -c "mkctl log | grep -q 'c1: NMI at [0-9a-f]* in user mode'"
ok "... and logged its threads: the program's, on the core" sh -c \
	"mkctl log | grep -q 'c1:   pid $pid tid $pid (on the core): runnable'"
fails "an NMI to a core the LWK does not have is refused" "LWK core 5 does not exist" mkctl debug nmi --core 5
ok "the LWK still answers after the NMIs" mkctl ping --core 1
ok "and runs the next program" mkexec --cpus 3-3 "$MK_PROGS/hello"

mkexec /bin/busybox sleep 30 &
pid=$!
sleep 1
ok "mkctl shutdown with a program running" mkctl shutdown
wait $pid
eq "its mkexec ends as killed (137)" 137 "$?"
eq "the CPUs are Linux's again" "0-3" "$(online_cpus)"
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
