# mkctl status lists running programs; a killed mkexec takes its program
# with it; two programs run at once on their own cores; shutting the LWK
# down ends a running program cleanly.
. /mk/tests/lib.sh

insmod "$MK_KO"
ok "boot the LWK on CPUs 2-3" mkctl boot --cpus 2-3 --mem 512M
need
# Free memory right after boot: all of it must come back.
free0=$(lwk_free)

mkexec --cpus 3-3 /bin/busybox sleep 5 &
pid=$!
sleep 1
ok "mkctl status lists the program, its CPU and memory" sh -c \
	"mkctl status | grep -E '^ +$pid +3 +[0-9.]+ [KMG]iB +/bin/busybox'"
ok "mkctl status --json lists it too" sh -c "mkctl status --json | grep -q '\"pid\": $pid'"
kill -9 $pid
wait $pid
eq "mkexec killed with SIGKILL exits 137" 137 "$?"
sleep 1
eq "its program is gone from the LWK" 0 "$(lwk_programs)"
eq "its memory is back in the LWK" "$free0" "$(lwk_free)"
ok "its core runs the next program" mkexec --cpus 3-3 "$MK_PROGS/hello"

mkexec --cpus 2-2 "$MK_PROGS/memstress" >/tmp/a &
a=$!
mkexec --cpus 3-3 "$MK_PROGS/memstress" >/tmp/b &
b=$!
wait $a; ra=$?
wait $b; rb=$?
eq "two programs at once on disjoint cores both succeed" "0 0" "$ra $rb"
eq "both computed the same result" "$(cat /tmp/a)" "$(cat /tmp/b)"
fails "a third on a busy core is refused" "running another LWK program" sh -c \
	"mkexec --cpus 2-2 /bin/busybox sleep 3 & sleep 1; mkexec --cpus 2-2 $MK_PROGS/hello; r=\$?; wait; exit \$r"
fails "more cores than the LWK has are refused" "3 LWK cores asked for" mkexec --cpus 3 "$MK_PROGS/hello"
fails "a CPU that is not an LWK core is refused" "CPU 1 is not an LWK core" mkexec --cpus 1-1 "$MK_PROGS/hello"

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
