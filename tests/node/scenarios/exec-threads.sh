# Threads on the LWK: pthreads across cores and oversubscribed on one,
# OpenMP, timeouts, CPU time, a thread ending the process, two threaded programs at
# once, and mkexec killed at random moments with nothing leaked.
. /mk/tests/lib.sh

insmod "$MK_KO"
ok "boot the LWK on CPUs 2-3 with 512 MiB" mkctl boot --cpus 2-3 --mem 512M
need
cd "$MK_PROGS"
# Free memory right after boot: everything the programs below use, thread
# records and the kernel heap's pages included, must come back.
free0=$(lwk_free)

sum="sum 4500001500000 (expected 4500001500000)"
eq "pthreads: 2 threads on 2 LWK cores, a known sum, 1000 create/join cycles" \
	"threads: 2, $sum, cpus used 2, memory churn ok, create/join cycles 1000" \
	"$(mkexec --cpus 2 ./threads 2 1000)"
eq "pthreads: 4 threads on 1 LWK core take turns" \
	"threads: 4, $sum, cpus used 1, memory churn ok, create/join cycles 100" \
	"$(mkexec --cpus 3-3 ./threads 4 100)"
eq "OpenMP parallel for on 2 cores" "openmp: 2 threads, sum 2000001000000 (expected 2000001000000)" \
	"$(mkexec --cpus 2 ./omp)"
eq "nanosleep, futex and condition-variable timeouts" "nanosleep 50 ms: at least 50 ms
futex wait 20 ms: ETIMEDOUT, at least 20 ms
futex wait on a changed word: EAGAIN
condition wait 30 ms: ETIMEDOUT, at least 30 ms" "$(mkexec ./timeouts)"
eq "a robust mutex's owner exits holding it: the waiter gets EOWNERDEAD" \
	"robust mutex: EOWNERDEAD after its owner exited, consistent again" "$(mkexec --cpus 2 ./robust)"
# mk-noise pins one thread per CPU and starts them with a spinning barrier:
# with no time slicing, threads must land on cores where they can run.
out=$(mkexec --cpus 2-3 "$(command -v mk-noise)" --cpus 2-3 --bench fwq --fwq-samples 50 --fwq-work 12)
eq "mk-noise's pinned, spinning threads on both LWK cores" "2 3" \
	"$(echo "$out" | awk '$1 == "fwq" && $3 == 50 { printf "%s%s", sep, $2; sep = " " }')"
# A core whose thread waits for Linux watches its ring before it halts; a
# wake-up from another core in that time must not be lost (it once was:
# the core halted with the woken thread runnable, for good).
eq "futex wake-ups across cores while the woken thread's core waits for Linux: none lost" \
	"20000 round trips" "$(timeout 120 mkexec --cpus 2 ./wake_race 20000 2>&1)"
MK_SAME_OPTS="--cpus 2" same "CPU time: spinning counts, sleeping does not; clock_gettime, getrusage, times and /proc/self/stat agree" ./cputime
mkexec --cpus 2 ./exit_group
eq "a thread's exit() ends the process (status 7) with threads spinning and sleeping" 7 "$?"
eq "no program is left" 0 "$(lwk_programs)"

mkexec --cpus 2-2 ./threads 2 300 >/tmp/a &
a=$!
mkexec --cpus 3-3 ./threads 3 300 >/tmp/b &
b=$!
wait $a; ra=$?
wait $b; rb=$?
eq "two threaded programs at once on their own cores both succeed" "0 0" "$ra $rb"
eq "... with the right sums" 2 "$(cat /tmp/a /tmp/b | grep -c "$sum")"
eq "their memory is back in the LWK" "$free0" "$(lwk_free)"

# kill -9 of mkexec at random moments of a threaded program's life.
i=0 killed=0
while [ $i -lt 20 ]; do
	mkexec --cpus 2 ./threads 2 100000 >/dev/null 2>&1 &
	pid=$!
	# 0 to 0.9 s: while starting, computing, or creating threads.
	sleep "0.$(( $(od -An -N1 -tu1 /dev/urandom) % 10 ))"
	kill -9 $pid 2>/dev/null
	wait $pid
	rc=$?
	echo "# kill -9 number $i: mkexec exited $rc"
	[ $rc -eq 137 ] && killed=$((killed + 1))
	i=$((i + 1))
done
eq "20 kill -9 of mkexec: each ends as killed" 20 "$killed"
sleep 1
eq "... no program is left on the LWK" 0 "$(lwk_programs)"
eq "... its free memory is back to what it was" "$free0" "$(lwk_free)"
eq "... and the next program runs" "hello, world" "$(mkexec ./hello)"
[ "$MK_FAILS" = 0 ] || mkctl log | tail -60

ok "shutdown" mkctl shutdown
eq "the CPUs are Linux's again" "0-3" "$(online_cpus)"
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
