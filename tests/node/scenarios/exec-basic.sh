# Programs under mkexec: exact output and exit status, arguments and
# environment, files, pipes and redirection, the same output as on Linux
# for busybox's applets, the vDSO, and errors for programs that cannot run.
. /mk/tests/lib.sh

insmod "$MK_KO"
ok "boot the LWK on CPUs 2-3 with 512 MiB" mkctl boot --cpus 2-3 --mem 512M
need
cd "$MK_PROGS"
# Free memory right after boot: everything a program uses, the kernel's
# records of it included, must come back.
free0=$(lwk_free)

eq "hello in C: its output" "hello, world" "$(mkexec ./hello)"
ok "hello in C: exit status 0" mkexec ./hello
eq "hello in C++ (iostream, an exception)" "hello from C++, exception caught, sum 5050" "$(mkexec ./hello_cpp)"
eq "a static PIE" "hello, world" "$(mkexec ./hello_pie)"
for code in 0 1 42; do
	mkexec ./exitcode $code
	eq "exit status $code comes back" "$code" "$?"
done

out=$(MKTEST_A="x y" MKTEST_B='q"uote' mkexec ./args one "two words" '' 'a$b')
eq "argv and envp round trip" "argc=5
argv[0]=./args
argv[1]=one
argv[2]=two words
argv[3]=
argv[4]=a\$b
env MKTEST_A=x y
env MKTEST_B=q\"uote" "$out"

rm -f /tmp/kept.txt
eq "file I/O: create, write, read back, stat, rename, unlink" \
	"fileio ok: 4100 bytes written and read back" "$(mkexec ./fileio /tmp)"
eq "Linux sees the file the program left" "kept: 4100 bytes checked" "$(cat /tmp/kept.txt)"
ok "and none of its temporary files" sh -c '! ls /tmp/fileio.* 2>/dev/null | grep -q .'

eq "a pipe into mkexec" "2" "$(printf 'a\nb\n' | mkexec /bin/busybox wc -l)"
eq "a pipe out of mkexec" "5" "$(mkexec /bin/busybox seq 1 5 | tail -1)"
mkexec ./hello >/tmp/redirected
eq "redirection to a file" "hello, world" "$(cat /tmp/redirected)"
eq "stderr is mkexec's own" "$(busybox cat /nonexistent 2>&1 >/dev/null)" \
	"$(mkexec /bin/busybox cat /nonexistent 2>&1 >/dev/null)"

seq 1 2000 >/tmp/nums
for applet in "echo mk runs busybox" "cat /tmp/nums" "wc /tmp/nums" "sha256sum /tmp/nums" \
	"ls -l /mk/progs" "sort -rn /tmp/nums" "head -c 100 /tmp/nums" "uname -a" "id"; do
	set -- $applet
	eq "busybox $1 gives the same output as on Linux" "$(busybox "$@" 2>&1)" "$(mkexec /bin/busybox "$@" 2>&1)"
done

eq "memory calls (brk, mmap, munmap, mprotect, mremap, madvise)" "memstress ok" \
	"$(mkexec ./memstress | cut -d: -f1)"
eq "forwarded calls with bad pointers fail with EFAULT" "efault ok" "$(mkexec ./efault)"

eq "a dynamically linked program runs (exec-dynamic tests more)" "hello, world" "$(mkexec ./hello_dynamic)"
# The vDSO: glibc's clocks and getcpu without entering the kernel, static
# and dynamic, printing what Linux's vDSO prints for the same checks; the
# time lies between Linux's readings before and after.
same "the vDSO (static): its symbols, clocks and getcpu as on Linux" ./vdso
same "the vDSO (dynamic): glibc takes it as linux-vdso.so.1" ./vdso_dynamic
before=$(date +%s%N); lwk_now=$(mkexec ./vdso realtime | tr -d .); after=$(date +%s%N)
eq "the vDSO's CLOCK_REALTIME lies between Linux's before and after" yes \
	"$([ "$before" -le "$lwk_now" ] && [ "$lwk_now" -le "$after" ] && echo yes || echo "no: $before $lwk_now $after")"
eq "/proc/self/maps lists [vvar] and [vdso]" "[vvar] [vdso]" \
	"$(mkexec /bin/cat /proc/self/maps | awk '$NF ~ /^\[v(var|dso)\]$/ { printf "%s%s", s, $NF; s = " " }')"
eq "MK_SYS_CORE_IRQS on Linux: ENOSYS" "not on the LWK (ENOSYS)" "$(./irqs)"
eq "an LWK core takes no interrupt while its program computes; counts of LWK cores only" \
	"interrupts while computing: 0 another LWK core's count: read CPU 0 (Linux's): EINVAL" \
	"$(mkexec --cpus 2-2 ./irqs 3 | tr '\n' ' ' | sed 's/ $//')"
dd if=/dev/urandom of=/tmp/corrupt bs=1k count=16 2>/dev/null; chmod +x /tmp/corrupt
fails "a corrupt program is refused clearly" "not an ELF file" mkexec /tmp/corrupt
head -c 3000 ./hello >/tmp/truncated; chmod +x /tmp/truncated
fails "a truncated program is refused clearly" "truncated" mkexec /tmp/truncated
fails "a missing program" "command not found" mkexec no-such-program
mkexec no-such-program 2>/dev/null
eq "... with status 127" 127 "$?"
eq "after all that the LWK still runs programs" "hello, world" "$(mkexec ./hello)"
eq "and its free memory is back to what it was" "$free0" "$(lwk_free)"
eq "no program is left" 0 "$(lwk_programs)"

ok "shutdown" mkctl shutdown
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
