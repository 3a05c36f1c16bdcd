# New processes and new images from LWK programs: fork (in sequence, in
# parallel, with 256 MiB copied, shared mappings shared), vfork, posix_spawn, system, popen, wait4,
# waitid and SIGCHLD give the output and statuses Linux gives; bash runs
# external commands, $(...), pipelines, background jobs and traps; Python's
# subprocess and os.system; execve runs the new program on the LWK in the
# same process (pid, descriptors, ignored signals kept, #! scripts); a kill
# -9 of mkexec with children running leaves no LWK program and all memory.
# A fork's child is an LWK program on the parent's cores (the default,
# --fork=same) or a free one (--fork=free), its memory shared copy-on-write,
# or a Linux process (--fork=linux), and the same programs give the same
# output each way; a 1 GiB process forks in an LWK with room for only half
# a copy.
# mkvm: --mem 4G --timeout 900
. /mk/tests/lib.sh

cd /tmp
P=$MK_PROGS
# Linux's answer for 1 GiB, while Linux still has the node's memory.
linux_1g=$("$P/forks" memory 1024 2>&1)
insmod "$MK_KO"
ok "boot the LWK on CPUs 2-3 with 1.5 GiB" mkctl boot --cpus 2-3 --mem 1536M
need
free0=$(lwk_free)

eq "only mkexec and, while the program runs, its vfork children may map a process's window; refaults are mkexec's; a fork's child is spawned by a child of mkexec's, while the program runs" \
	"a forked child: Operation not permitted
a forked child's refault: Operation not permitted
a forked child's fork spawn before the program runs: No such process
a forked child's fork spawn naming no process fd: Bad file descriptor
the spawner: mapped
the spawner's refault before the program runs: No such process
the spawner's fork spawn of its own process: Operation not permitted" "$("$P/window_share" 2>&1)"
same "fork 100 children in sequence and 100 in parallel, vfork, posix_spawn, system, popen, SIGCHLD, waitid" \
	"$P/forks" all 100
same "... the same, dynamically linked" "$P/forks_dynamic" all 100
same "fork of a process with 256 MiB touched: the child sees the data, writes stay private" "$P/forks" memory 256
# nproc in a child on Linux counts the Linux CPUs it may run on (sched_getaffinity).
MK_SAME_OPTS=--fork=linux same "--fork=linux: a child may run on the CPUs mkexec was started on (not only its server's doorbell CPU)" \
	sh -c 'nproc; :'
MK_SAME_OPTS="--fork=linux --poll" same "... nor only its polling CPU (--poll)" sh -c 'nproc; :'
MK_SAME_OPTS=--fork=linux same "... and so may the next image's children, after an execve" sh -c 'exec sh -c "nproc; :"'
same "kill 0 (bash's kill -TERM 0) reaches the program and its children, each once" setsid bash -c '
	rm -f /tmp/k0.ready /tmp/k0.out
	trap "echo the shell got TERM" TERM
	( trap "echo the subshell got TERM >>/tmp/k0.out; exit 3" TERM; sleep 100 & touch /tmp/k0.ready; wait ) & c=$!
	while [ ! -e /tmp/k0.ready ]; do sleep 0.1; done
	kill -TERM 0
	wait $c; echo "subshell: $?"; cat /tmp/k0.out'
same "fork: shared mappings (anonymous, /dev/shm, SysV) stay shared with the child both ways, a private one does not" \
	"$P/forks" shared
bash_script='
	trap "echo trapped EXIT" EXIT
	echo "uname: $(uname -s) $(/bin/echo nested $(printf %s deep))"
	seq 1 200 | sort -rn | head -3 | tr "\n" " "; echo "${PIPESTATUS[*]}"
	sleep 0.2 & a=$!; (exit 3) & b=$!
	wait $a; echo "job a: $?"; wait $b; echo "job b: $?"
	ls /usr/bin/bash /nonexistent 2>&1; echo "ls: $?"
	f() { return 7; }; f; echo "function: $?"
	for i in 1 2 3; do sh -c "exit $i"; echo -n "$? "; done; echo
	x=$(cat <<HERE | wc -l
one
two
HERE
); echo "lines: $x"
	exit 4'
same "bash: external commands, \$(...), pipelines, PIPESTATUS, background jobs, wait, exit statuses, trap" \
	bash -c "$bash_script"
# Job control: a pipeline of forked subshells in a process group of its own
# (its first process leads it), the shell's session; read from each
# process's own /proc/self/stat, which the LWK writes for its programs.
same "bash with job control (set -m): a pipeline in a process group of its own, in the shell's session" setsid bash -c '
	rm -f /tmp/pg.*
	set -m
	pg() { read -r l </proc/self/stat; set -- $l; echo "$1 $5 $6"; }
	pg >/tmp/pg.shell
	pg >/tmp/pg.a | { pg >/tmp/pg.b; cat; }
	read -r sp sg ss </tmp/pg.shell; read -r ap ag as </tmp/pg.a; read -r bp bg bs </tmp/pg.b
	[ "$sp" = $$ ] && [ "$sg" = $$ ] && [ "$ss" = $$ ] && echo "the shell leads its group and session"
	[ "$ag" = "$ap" ] && echo "the pipeline'"'"'s first process leads its group"
	[ "$bg" = "$ag" ] && [ "$bp" != "$ap" ] && echo "the second is in that group"
	[ "$ag" != "$sg" ] && echo "a group other than the shell'"'"'s"
	[ "$as" = "$ss" ] && [ "$bs" = "$ss" ] && echo "in the shell'"'"'s session"
	exec 2>/dev/null # (the shell's note of the job's end)
	sleep 5 | sleep 5 &
	kill -TERM %%; wait $!; echo "kill of the job'"'"'s group: $?"'
same "python3: subprocess.run, check_output, os.system, Popen with pipes, a missing program" /usr/bin/python3 -c '
import os, subprocess, sys
r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 6"], capture_output=True, text=True)
print(r.returncode, repr(r.stdout), repr(r.stderr))
print(subprocess.check_output(["seq", "3"]).split())
sys.stdout.flush()
print("os.system:", os.waitstatus_to_exitcode(os.system("exit 9")))
p = subprocess.Popen(["tr", "a-z", "A-Z"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
print(p.communicate(b"piped through\n")[0], p.returncode)
try:
    subprocess.run(["/nonexistent/program"])
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno)'

# execve: the new program runs on the LWK, in the same process.
same "execve of another program" "$P/forks" exec
same "fexecve of a close-on-exec descriptor runs the program" "$P/forks" fexecve
same "execve of no program fails with ENOENT and the program goes on" "$P/forks" exec-missing
same "execve of /proc/self/exe runs the program's own file again" \
	bash -c 'if [ -z "$AGAIN" ]; then AGAIN=1 exec /proc/self/exe -c "echo again: \$AGAIN \$0"; fi'
printf '#!/bin/sh -e\necho "script $0 args: $*"\nexec %s/hello\n' "$P" >script.sh
chmod +x script.sh
same "a #! script with an interpreter argument, exec'ing a program" ./script.sh a b
same "bash exec: descriptors without close-on-exec stay, the status is the new program's" bash -c '
	exec 7>/tmp/seven; exec 8>/tmp/eight; exec {fd}>/tmp/cloexec
	exec bash -c "echo via seven >&7; ls /proc/self/fd/8 >/dev/null && echo eight open; exit 5"'
same "... and the files hold what was written" cat /tmp/seven
same "execve passes the program's environment, not mkexec's" env -i A=1 bash -c 'export B=2; unset A; exec env'
eq "execve keeps the pid" "same pid" "$(mkexec bash -c 'echo $$ >/tmp/pid; exec bash -c "[ \$\$ = \$(cat /tmp/pid) ] && echo same pid"')"
mkexec bash -c 'exec bash -c "cat /proc/\$PPID/comm"' >/tmp/parent.lwk
bash -c 'exec bash -c "cat /proc/\$PPID/comm"' >/tmp/parent.linux
eq "its parent is still the one that started it" "$(cat /tmp/parent.linux)" "$(cat /tmp/parent.lwk)"
eq "an execve'd program runs on the LWK" "1" "$(mkexec bash -c "exec $P/irqs" | grep -c 'interrupts while computing')"
same "ignored signals stay ignored through execve" sh -c 'trap "" INT; exec bash -c "kill -INT \$\$; echo survived SIGINT"'
eq "mkexec --argv0 names the program" "argv0 is custom" "$(mkexec --argv0 custom bash -c 'echo "argv0 is $0"' 2>&1)"

# The policy option.
fails "--fork=elsewhere is refused with a clear error" "linux, same or free" mkexec --fork=elsewhere "$P/hello"
ok "--fork=linux runs the program" mkexec --fork=linux "$P/forks" memory 8
eq "by default a fork's child runs on the LWK, on its parent's core" \
	"parent on CPU 2, LWK yes; child on CPU 2, LWK yes" "$(mkexec --cpus 2-2 "$P/forks" where)"
# A new image starts on its parent's core while other threads run there:
# their registers (switched lazily) stay theirs.
MK_SAME_OPTS="--cpus 2-2" same "a program's vector registers stay its own while other programs start on its core" \
	bash -c "$P/fpu_keep 1000 & for i in \$(seq 20); do /bin/true; done; wait"
# mkexec started by an LWK program (a job script's) starts its program
# where its own options say: a fork's child's execve of mkexec is Linux's,
# and so is a vfork child's.
eq "mkexec run by a shell under mkexec (a forked child's execve) starts its program where its options say" \
	"parent on CPU 3, LWK yes; child on CPU 3, LWK yes
status 0" "$(mkexec --cpus 2-2 bash -c "mkexec --cpus 3-3 $P/forks where; echo status \$?")"
eq "... and run by Python's subprocess (a vfork child's)" "parent on CPU 3, LWK yes; child on CPU 3, LWK yes" \
	"$(mkexec --cpus 2-2 /usr/bin/python3 -c "import subprocess; subprocess.run(['mkexec', '--cpus', '3-3', '$P/forks', 'where'])")"
eq "--fork=linux: a fork's child runs on Linux" "LWK no" "$(mkexec --fork=linux --cpus 2-2 "$P/forks" where | sed 's/.*child on CPU [0-9]*, //')"

# Children on the LWK: --fork=same (on the program's cores, taking turns)
# and --fork=free (on a core no program uses, if there is one). The same
# programs give the same output and statuses as on Linux.
eq "--fork=same: a fork's child runs on the LWK, on its parent's core" \
	"parent on CPU 2, LWK yes; child on CPU 2, LWK yes" "$(mkexec --fork=same --cpus 2-2 "$P/forks" where)"
eq "--fork=free: on a free LWK core" \
	"parent on CPU 2, LWK yes; child on CPU 3, LWK yes" "$(mkexec --fork=free --cpus 2-2 "$P/forks" where)"
mkexec --cpus 3-3 sleep 20 &
busy=$!
for _ in $(seq 100); do [ "$(lwk_programs)" = 1 ] && break; sleep 0.1; done
eq "--fork=free with no free core: on its parent's" \
	"parent on CPU 2, LWK yes; child on CPU 2, LWK yes" "$(mkexec --fork=free --cpus 2-2 "$P/forks" where)"
kill $busy
wait $busy 2>/dev/null
for pol in linux free; do
	MK_SAME_OPTS=--fork=$pol same "--fork=$pol: fork 100 children in sequence and 100 in parallel, vfork, posix_spawn, system, popen, SIGCHLD, waitid" \
		"$P/forks" all 100
	MK_SAME_OPTS=--fork=$pol same "--fork=$pol: bash's commands, \$(...), pipelines, jobs, statuses, trap" \
		bash -c "$bash_script"
done
MK_SAME_OPTS=--fork=linux same "--fork=linux: the same, dynamically linked" "$P/forks_dynamic" all 100
MK_SAME_OPTS=--fork=linux same "--fork=linux: fork of a process with 256 MiB touched (copied): the child sees the data, writes stay private" \
	"$P/forks" memory 256
for pol in same free; do
	MK_SAME_OPTS=--fork=$pol same "--fork=$pol: copy-on-write: the child sees the data as it was; writes by the program, the kernel (read() into pages Linux had seen), munmap, mprotect and MADV_DONTNEED of parts of 2 MiB pages stay each side's own" \
		"$P/fork_cow"
done
eq "--fork=same: fork+exit of a process with 1 GiB touched, in an LWK with room for half a copy: the pages are shared, not copied" \
	"fork+exit with 1024 MiB touched: child ok, parent's data kept" \
	"$(mkexec --fork=same "$P/fork_cow" touch 1024 2>&1 | sed 's/, [0-9.]* ms$//')"
eq "... and its memory is back" "$free0" "$(lwk_free)"
MK_SAME_OPTS=--fork=linux same "--fork=linux: shared mappings (anonymous, /dev/shm, SysV) stay shared with the child both ways" \
	"$P/forks" shared
MK_SAME_OPTS=--fork=same same "--fork=same: a child ended by a signal is seen so by its parent's wait" /usr/bin/python3 -c '
import os, signal
for sig in (signal.SIGTERM, signal.SIGSEGV):
    pid = os.fork()
    if pid == 0:
        os.kill(os.getpid(), sig)
        os._exit(0)
    _, st = os.waitpid(pid, 0)
    print(os.WIFSIGNALED(st), os.WTERMSIG(st) == sig)
pid = os.fork()
if pid == 0:
    os._exit(33)
print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))'
eq "--fork=same: a child that writes more copies than the LWK has room for is ended; its parent goes on, its data intact" \
	"fork with 1024 MiB: the child saw the parent's data: no; the parent's stayed: yes" \
	"$(mkexec --fork=same "$P/forks" memory 1024 2>&1)"
eq "... and its memory is back" "$free0" "$(lwk_free)"
mkexec --fork=same bash -c 'sleep 30 & sleep 30 & wait' &
mk=$!
for _ in $(seq 100); do [ "$(lwk_programs)" = 3 ] && break; sleep 0.1; done
n=$(lwk_programs)
eq "--fork=same: a shell and its two background children run on the LWK" 3 "$n"
[ "$n" = 3 ] || { mkctl status; ps -eo pid,ppid,pgid,stat,args | grep -v ' \['; mkctl log | tail -20; } | sed 's/^/# /'
kill -9 $mk
wait $mk 2>/dev/null
for _ in $(seq 50); do [ "$(lwk_programs)" = 0 ] && break; sleep 0.1; done
eq "kill -9 of the parent mkexec ends its children's LWK programs too" 0 "$(lwk_programs)"
eq "... and all their memory is back" "$free0" "$(lwk_free)"

# The same with the children on Linux: no LWK program left, memory back.
mkexec --fork=linux bash -c 'sleep 30 & sleep 30 & wait' &
mk=$!
sleep 3
kill -9 $mk
wait $mk 2>/dev/null
sleep 1
eq "--fork=linux: kill -9 of a parent mkexec leaves no LWK program" 0 "$(lwk_programs)"
eq "its LWK memory is back" "$free0" "$(lwk_free)"
pkill -f "sleep 30" || true

eq "after all that the LWK still runs programs" "hello, world" "$(mkexec "$P/hello")"
eq "its free memory is back to what it was" "$free0" "$(lwk_free)"
ok "shutdown" mkctl shutdown

# Room for both: a child writing all of 1 GiB gets its own copy.
ok "boot the LWK on CPUs 2-3 with 2.25 GiB" mkctl boot --cpus 2-3 --mem 2304M
free0=$(lwk_free)
eq "--fork=same: fork of a process with 1 GiB touched: the child sees the data, its writes and the parent's stay private (as on Linux)" \
	"$linux_1g" "$(mkexec --fork=same "$P/forks" memory 1024 2>&1)"
eq "... and the memory of both is back" "$free0" "$(lwk_free)"
ok "shutdown" mkctl shutdown
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
