# Dynamically linked programs under mkexec: Debian's own programs give the
# same output and status as on Linux in the same node; the loader's
# features (PIE and not, $ORIGIN rpaths, LD_LIBRARY_PATH, LD_PRELOAD,
# dlopen, TLS of shared libraries, IFUNCs); the program's own /proc files;
# clear errors for a bad interpreter; nothing left behind.
# mkvm: --timeout 900
. /mk/tests/lib.sh

insmod "$MK_KO"
ok "boot the LWK on CPUs 2-3 with 1 GiB" mkctl boot --cpus 2-3 --mem 1G
need
free0=$(lwk_free)
cd /tmp
seq 1 5000 | awk '{ print ($1 * 7919) % 10007 }' >numbers

# Debian's programs, unmodified.
same "ls -l /usr/bin" ls -l /usr/bin
same "sort" sort -n numbers
same "sha256sum" sha256sum numbers /usr/bin/ls
same "find" find /usr/share/doc/bash /usr/share/doc/coreutils
same "awk" awk '{ s += $1; if ($1 > m) m = $1 } END { print s, m, NR }' numbers
same "sed" sed -n 's/^1\(.*\)7$/<\1>/p' numbers
same "a bash script: functions, loops, arithmetic, here-documents" bash -c '
	fib() { local a=0 b=1 i t; for ((i = 0; i < $1; i++)); do t=$((a + b)); a=$b; b=$t; done; result=$a; }
	fib 40; echo "fib(40) = $result"
	declare -A seen; n=0
	while read -r w; do seen[$w]=1; n=$((n + 1)); done <<HERE
alpha
beta
alpha
gamma $((6 * 7))
HERE
	echo "$n lines, ${#seen[@]} distinct"; printf "%05.1f|%x\n" 3.14159 255'
same "perl" perl -e 'my %h; $h{$_ % 97}++ for 1..10000; printf "%d %d %.6f\n", scalar(keys %h), $h{5}, atan2(1, 1) * 4'
same "python3" /usr/bin/python3 -c 'import json, hashlib; print(json.dumps({"sum": sum(range(10**5))}), hashlib.sha1(b"mk").hexdigest())'
same "python3 with numpy: a matrix product (OpenBLAS)" /usr/bin/python3 -c '
import numpy as np
a = (np.arange(90000, dtype=np.float64).reshape(300, 300) % 7) - 3
print(int((a @ a).sum()), float(np.linalg.norm(a[:5, :5])))'
OPENBLAS_NUM_THREADS=2 MK_SAME_OPTS="--cpus 2" \
	same "numpy with two OpenBLAS threads on two LWK cores" /usr/bin/python3 -c '
import numpy as np
a = (np.arange(160000, dtype=np.float64).reshape(400, 400) % 5) - 2
print(int((a @ a.T).trace()))'
same "C++ against the shared libstdc++ and Boost" "$MK_PROGS/hello_boost" --count 1000
same "... and its errors" "$MK_PROGS/hello_boost" --count x

# The loader's features, with our own programs and libraries.
same "non-PIE, \$ORIGIN rpath, TLS, IFUNC, dlopen of a plugin and libm" "$MK_PROGS/dyn" libmkdyn_plugin.so
same "a PIE without an rpath does not find its library" "$MK_PROGS/dyn_pie"
LD_LIBRARY_PATH=$MK_PROGS/lib same "... and finds it through LD_LIBRARY_PATH" "$MK_PROGS/dyn_pie"
LD_PRELOAD=$MK_PROGS/lib/libmkdyn_preload.so same "LD_PRELOAD interposes a symbol" "$MK_PROGS/dyn"
eq "the LD_PRELOAD really took" "constructor 42, add 42, name preloaded" \
	"$(LD_PRELOAD=$MK_PROGS/lib/libmkdyn_preload.so mkexec "$MK_PROGS/dyn" | head -1)"

# The program's own /proc and CPUs: the LWK's view, not mkexec's.
eq "/proc/self/exe names the program" "/usr/bin/readlink" "$(mkexec readlink /proc/self/exe)"
eq "/proc/self/status: its name" "Name:	head" "$(mkexec head -1 /proc/self/status)"
eq "/proc/self/status: its LWK cores" "Cpus_allowed_list:	2-3" \
	"$(mkexec --cpus 2 grep Cpus_allowed_list /proc/self/status)"
eq "/proc/self/status: threads" "Threads:	1" "$(mkexec grep Threads: /proc/self/status)"
eq "/proc/self/cmdline: its arguments" "cat /proc/self/cmdline x y" \
	"$(mkexec cat /proc/self/cmdline x y 2>/dev/null | tr '\0' ' ' | sed 's/ $//')"
# mkexec's own descriptors are left out (their numbers may shift the
# program's, so the count is compared).
eq "/proc/self/fd lists the program's descriptors, not mkexec's" "$(ls /proc/self/fd | wc -l)" \
	"$(mkexec ls /proc/self/fd | wc -l)"
eq "mk's ioctls on every descriptor number reach nothing of mk's" \
	"0 reached mk" "$(mkexec "$MK_PROGS/escape" </dev/null | sed -n 's/^escape: .*, //p')"
eq "... and the LWK still runs" running "$(mk_state)"
eq "/proc/self/task lists the program's thread, not mkexec's" "$(ls /proc/self/task | wc -l)" \
	"$(mkexec ls /proc/self/task | wc -l)"
same "/proc/self/task with 3 threads: each listed, after rewinddir too; a thread's directory and stat" \
	"$MK_PROGS/task_list"
eq "/proc/self/stat: comm and state" "(cat) R" "$(mkexec cat /proc/self/stat | cut -d' ' -f2,3)"
# Its start time is what Linux gives its pid: MPI runtimes (UCX) compare the
# two to know a peer process is still the one they met.
rm -f /tmp/st-lwk /tmp/st-go; mkfifo /tmp/st-go
mkexec bash -c 'read -r l </proc/self/stat; set -- $l; echo "${22}" >/tmp/st-lwk; read -r x </tmp/st-go' &
p=$!
i=0; while [ ! -s /tmp/st-lwk ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
eq "/proc/self/stat: its start time is the one Linux shows for its pid" "$(cut -d' ' -f22 /proc/$p/stat)" \
	"$(cat /tmp/st-lwk)"
echo go >/tmp/st-go; wait $p
ok "/proc/self/maps: the program, its interpreter, [heap] and [stack]" sh -c '
	m=$(mkexec cat /proc/self/maps) &&
	echo "$m" | grep -q "r-xp .* /usr/bin/cat$" && echo "$m" | grep -q "r-xp .* /lib64/ld-linux-x86-64.so.2$" &&
	echo "$m" | grep -q "\[heap\]$" && echo "$m" | grep -q "\[stack\]$"'
ok "/proc/self/smaps: a Size line for each mapping" sh -c '
	mkexec cat /proc/self/smaps >/tmp/smaps && [ "$(grep -c "^[0-9a-f]*-[0-9a-f]* " /tmp/smaps)" -gt 5 ] &&
	[ "$(grep -c "^[0-9a-f]*-[0-9a-f]* " /tmp/smaps)" -eq "$(grep -c ^Size: /tmp/smaps)" ]'
eq "nproc under --cpus 2" 2 "$(mkexec --cpus 2 nproc)"
# Linux's /proc/cpuinfo and /proc/stat know nothing of LWK cores (offline
# there): the program's show its cores, the rest as Linux has it.
eq "/proc/cpuinfo lists the program's LWK cores" "2 3" \
	"$(mkexec --cpus 2 awk '/^processor/ { printf "%s%s", s, $3; s = " " }' /proc/cpuinfo)"
eq "... each with Linux's model name" "$(grep -m1 '^model name' /proc/cpuinfo)" \
	"$(mkexec --cpus 2 grep -m1 '^model name' /proc/cpuinfo)"
eq "/proc/stat's cpu lines are the program's cores" "cpu cpu2 cpu3" \
	"$(mkexec --cpus 2 awk '/^cpu/ { printf "%s%s", s, $1; s = " " }' /proc/stat)"
eq "... and the rest of it is Linux's" "btime ctxt intr processes" \
	"$(mkexec --cpus 2 awk '/^(ctxt|btime|processes|intr) / { print $1 }' /proc/stat | sort | tr '\n' ' ' | sed 's/ $//')"
eq "getconf _NPROCESSORS_ONLN under --cpus 2" 2 "$(mkexec --cpus 2 getconf _NPROCESSORS_ONLN)"
eq "/sys/devices/system/cpu/online lists its cores" "2-3" "$(mkexec --cpus 2 cat /sys/devices/system/cpu/online)"
# The topology of LWK cores (offline in Linux, so without topology/ and
# cache/ in Linux's sysfs) comes from mkctl's copy, with the program's cores
# only: hwloc builds the same tree for the program's 2 cores as for Linux's
# 2 CPUs of this node, and libnuma counts the program's cores.
eq "lstopo: the program's 2 cores as Linux's 2 CPUs (caches, cores, node)" \
	"$(lstopo-no-graphics --of console --no-io | sed 's/P#[0-9]*/P#N/g')" \
	"$(mkexec --cpus 2 lstopo-no-graphics --of console --no-io | sed 's/P#[0-9]*/P#N/g')"
eq "... its PUs are the program's cores" "2 3" \
	"$(mkexec --cpus 2 hwloc-calc --physical-output --intersect pu all | tr ',' ' ')"
eq "... and one core under --cpus 1" "1" "$(mkexec --cpus 1 hwloc-calc --number-of core all)"
eq "a core's topology masks hold the program's cores only" "4
2" "$(mkexec --cpus 1 cat /sys/devices/system/cpu/cpu2/topology/package_cpus \
	/sys/devices/system/cpu/cpu2/cache/index0/shared_cpu_list)"
eq "its NUMA node lists the program's cores" "2-3" "$(mkexec --cpus 2 cat /sys/devices/system/node/node0/cpulist)"
eq "... and a node Linux does not have has no such file" 1 \
	"$(mkexec cat /sys/devices/system/node/node7/cpulist >/dev/null 2>&1; echo $?)"
eq "libnuma: numa_num_task_cpus and node 0's CPUs" "numa_num_task_cpus 2
numa_num_configured_cpus 2
online processors 2
node 0 cpus: 2 3" "$(mkexec --cpus 2 "$MK_PROGS/numa_view")"
ok "the copy cannot be written through the LWK" sh -c \
	'! mkexec sh -c "echo 9 >/sys/devices/system/cpu/cpu2/topology/core_id" 2>/dev/null && [ "$(cat /run/mk/cpu/cpu2/topology/core_id)" != 9 ]'
eq "python3's os.cpu_count() and affinity" "2 2" \
	"$(mkexec --cpus 2 /usr/bin/python3 -c 'import os; print(os.cpu_count(), len(os.sched_getaffinity(0)))')"
fails "/proc/self/mem (mkexec's) is refused" "Permission denied" mkexec head -c 16 /proc/self/mem

# A bad interpreter: clear messages, a shell's statuses, Linux's verdict.
interp=/lib64/ld-linux-x86-64.so.2
fake=/tmp/mk-fake-interpreter.so
[ ${#fake} -eq ${#interp} ] || echo "# the fake interpreter's path must be as long as the real one's"
patched() { # NEW-INTERP FILE: hello_dynamic with another interpreter
	perl -0777 -pe "s|\Q$interp\E|$1|" "$MK_PROGS/hello_dynamic" >"$2" && chmod +x "$2"
}
patched /lib64/ld-linux-x86-64.so.9 /tmp/missing-interp
fails "a missing interpreter is named" "ld-linux-x86-64.so.9: No such file" mkexec /tmp/missing-interp
mkexec /tmp/missing-interp 2>/dev/null
eq "... with status 127, as a shell gives" "127" "$?"
sh -c /tmp/missing-interp 2>/dev/null
eq "... and as Linux's shell gives too" "127" "$?"
patched "$fake" /tmp/text-interp
echo "not an ELF file" >"$fake"
fails "an interpreter that is not ELF is refused" "ELF interpreter: not an ELF" mkexec /tmp/text-interp
mkexec /tmp/text-interp 2>/dev/null
eq "... with status 126" "126" "$?"
cp /usr/bin/true "$fake"
fails "a dynamically linked interpreter is refused" "itself dynamically linked" mkexec /tmp/text-interp
mkexec /tmp/text-interp 2>/dev/null
eq "... with status 126" "126" "$?"

eq "after all that the LWK still runs programs" "hello, world" "$(mkexec "$MK_PROGS/hello_dynamic")"
eq "its free memory is back to what it was" "$free0" "$(lwk_free)"
eq "no program is left" 0 "$(lwk_programs)"
ok "shutdown" mkctl shutdown
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
