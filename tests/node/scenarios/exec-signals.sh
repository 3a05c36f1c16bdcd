# Signals on the LWK: handlers, masks and waits in the program; signals
# sent to mkexec reach the program (a handler runs, or the default action
# ends it with 128 + the signal); a forwarded call is interrupted or
# restarted; faults end the program with a report, or reach its handler.
. /mk/tests/lib.sh

insmod "$MK_KO"
ok "boot the LWK on CPUs 2-3" mkctl boot --cpus 2-3 --mem 512M
need
cd "$MK_PROGS"
# Free memory right after boot: all of it must come back.
free0=$(lwk_free)

# start_until_ready OUT MODE [mkexec options]: runs `signals MODE` in the
# background with its output in OUT (and its input from fd 3 if IN3 is
# set), and waits until it says "ready".
# A shell without job control starts a background command with SIGINT and
# SIGQUIT ignored, which the program inherits (as on Linux): env gives them
# back their default, since these checks send them.
start_until_ready() {
	_out=$1 _mode=$2; shift 2
	if [ -n "${IN3:-}" ]; then
		env --default-signal=INT,QUIT mkexec "$@" ./signals "$_mode" <&3 >"$_out" 2>&1 &
	else
		env --default-signal=INT,QUIT mkexec "$@" ./signals "$_mode" >"$_out" 2>&1 &
	fi
	bg=$!
	until_ready "$_out"
}
until_ready() {
	for _i in $(seq 1 200); do
		grep -q '^ready$' "$1" && return 0
		sleep 0.05
	done
	echo "never ready"; cat "$1"
	return 1
}

start_until_ready /tmp/int wait-int
kill -INT $bg
wait $bg
eq "SIGINT to mkexec: the program's handler runs and it exits 0" 0 "$?"
ok "... its sleep was interrupted after the handler ran, which saw the sender's pid" \
	grep -q "handled SIGINT from pid $$, sleep interrupted" /tmp/int

start_until_ready /tmp/int2 sleep
kill -INT $bg
wait $bg
eq "SIGINT to mkexec, no handler: exit 130" 130 "$?"
eq "... and no report (as a shell shows it)" "ready" "$(cat /tmp/int2)"

start_until_ready /tmp/term sleep
kill -TERM $bg
wait $bg
eq "SIGTERM to mkexec, no handler: exit 143" 143 "$?"
ok "... with the report line" grep -q "signals: Terminated (SIGTERM)" /tmp/term

mkexec ./signals segv >/tmp/segv 2>&1
eq "a SIGSEGV program exits 139" 139 "$?"
ok "... with the report: signal, address, RIP" \
	grep -Eq "signals: Segmentation fault \(SIGSEGV\) at address 0x10, RIP 0x[0-9a-f]+" /tmp/segv
mkexec ./signals fpe >/tmp/fpe 2>&1
eq "a divide by zero exits 136" 136 "$?"
ok "... reported as SIGFPE" grep -Eq "Floating point exception \(SIGFPE\) at address 0x[0-9a-f]+, RIP" /tmp/fpe
mkexec ./signals ill >/tmp/ill 2>&1
eq "an invalid opcode exits 132" 132 "$?"
ok "... reported as SIGILL" grep -Eq "Illegal instruction \(SIGILL\) at address" /tmp/ill
mkexec ./signals abort >/tmp/abrt 2>&1
eq "abort() exits 134" 134 "$?"
ok "... reported as SIGABRT with its RIP" grep -Eq "Aborted \(SIGABRT\) at RIP 0x[0-9a-f]+" /tmp/abrt

eq "a SIGSEGV handler gets si_addr and si_code, and leaves with siglongjmp" \
	"SIGSEGV handled 3 times, si_addr 0x1240, SEGV_MAPERR" "$(mkexec ./signals segv-handler 2>&1)"
eq "raise, masks, sigpending, sigtimedwait, queued real-time signals, FPU state, alternate stack (SS_AUTODISARM too), SA_RESETHAND" \
	"raise, masks, sigpending, sigtimedwait, queued real-time signals, FPU state, alternate stack (SS_AUTODISARM too), SA_RESETHAND: ok" \
	"$(mkexec ./signals self 2>&1)"

# A forwarded read blocked in Linux: interrupted, then restarted (SA_RESTART) or not.
mkfifo /tmp/fifo
(exec 3<>/tmp/fifo; IN3=1 start_until_ready /tmp/rr read-restart; kill -USR1 $bg; sleep 0.5
	echo data >&3; wait $bg; echo "exit $?" >>/tmp/rr)
eq "SIGUSR1 during a forwarded read, SA_RESTART: the handler runs, the read goes on" \
	"ready
handler ran, read restarted: data
exit 0" "$(cat /tmp/rr)"
(exec 3<>/tmp/fifo; IN3=1 start_until_ready /tmp/re read-eintr; kill -USR1 $bg; wait $bg
	echo "exit $?" >>/tmp/re)
eq "SIGUSR1 during a forwarded read, no SA_RESTART: EINTR" \
	"ready
handler ran, read interrupted (EINTR)
exit 0" "$(cat /tmp/re)"

start_until_ready /tmp/susp suspend
kill -USR1 $bg
wait $bg
eq "sigsuspend wakes for the signal and restores the mask" "0 sigsuspend woke for SIGUSR1, mask restored" \
	"$? $(tail -n 1 /tmp/susp)"

start_until_ready /tmp/thr threads --cpus 2
kill -TERM $bg
wait $bg
eq "signals reach the right thread, one computing in user mode on another core" \
	"0 thread-directed and process-directed signals reached the right thread" "$? $(tail -n 1 /tmp/thr)"

start_until_ready /tmp/closed closefds
kill -USR1 $bg
sleep 0.5
kill -USR1 $bg
wait $bg
eq "a program that closed every descriptor above 2 still gets its signals" \
	"0 SIGUSR1 handled twice after closing every descriptor" "$? $(tail -n 1 /tmp/closed)"

mkexec ./signals sigpipe >/tmp/pipe 2>&1
eq "a write to a pipe nobody reads: SIGPIPE, exit 141, no report" "141 " "$? $(cat /tmp/pipe)"

# One program's fault or signal is its own: another goes on.
start_until_ready /tmp/other sleep --cpus 3-3
mkexec --cpus 2-2 ./signals segv >/dev/null 2>&1
r1=$?
mkexec --cpus 2-2 ./signals abort >/dev/null 2>&1
r2=$?
ok "... the other program still runs" kill -0 $bg
kill -INT $bg
wait $bg
eq "a fault and an abort beside a running program: it is unaffected" "139 134 130" "$r1 $r2 $?"

sleep 1
eq "no program is left on the LWK" 0 "$(lwk_programs)"
eq "the LWK's free memory is back" "$free0" "$(lwk_free)"
ok "the next program runs" mkexec ./hello
ok "mkctl shutdown" mkctl shutdown
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
