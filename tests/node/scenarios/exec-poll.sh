# mkexec --poll: one server spins for the program's calls instead of
# sleeping. The basic and the signals scenarios pass unchanged with every
# mkexec given --poll; then a spinning server is torn down by kill -9 of
# mkexec and by mkctl shutdown, leaving no program, all memory back and a
# clean kernel log.
# mkvm: --timeout 900
. /mk/tests/lib.sh

real=$(command -v mkexec)
mkdir -p /tmp/pollbin
printf '#!/bin/sh\nexec %s --poll "$@"\n' "$real" >/tmp/pollbin/mkexec
chmod +x /tmp/pollbin/mkexec
for s in exec-basic exec-signals; do
	PATH=/tmp/pollbin:$PATH sh "/mk/tests/scenarios/$s.sh" >/tmp/$s.out 2>&1
	rc=$?
	# Every check, and what a failed one printed.
	grep -E '^(ok|not ok) - |^#   ' /tmp/$s.out | sed "s/^\(ok\|not ok\) - /\1 - --poll: /"
	eq "$s passes with mkexec --poll" 0 "$rc"
done

insmod "$MK_KO"
ok "boot the LWK on CPUs 2-3 with 512 MiB" mkctl boot --cpus 2-3 --mem 512M
need
free0=$(lwk_free)
"$real" --poll --cpus 2-2 /bin/sleep 100 &
pid=$!
sleep 3
eq "the spinning server keeps a Linux CPU busy" yes \
	"$(awk '{ print ($14 + $15 > 100) ? "yes" : "no: " $14 + $15 " ticks" }' /proc/$pid/stat)"
kill -9 "$pid"
wait "$pid" 2>/dev/null
eq "kill -9 of a polling mkexec: no program is left" 0 "$(lwk_programs)"
eq "... and the LWK's memory is back" "$free0" "$(lwk_free)"
eq "the next program runs on the same core" "hello, world" "$("$real" --poll --cpus 2-2 "$MK_PROGS/hello")"
"$real" --poll --cpus 3-3 /bin/sleep 100 2>/tmp/poll-shutdown.err &
pid=$!
sleep 3
ok "mkctl shutdown with a server spinning" mkctl shutdown
wait "$pid"
eq "the program's mkexec reports it killed" 137 "$?"
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
