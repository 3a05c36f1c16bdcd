# Reserve 2 CPUs and 256 MiB, check Linux lost them and sysfs shows them,
# release, and check everything came back and works.
. /mk/tests/lib.sh

insmod "$MK_KO"
free0=$(memfree_kb)
eq "all CPUs online before" "0-3" "$(online_cpus)"
eq "state is free" "free" "$(cat /sys/kernel/mk/state)"

ok "mkctl reserve --cpus 2-3 --mem 256M" mkctl reserve --cpus 2-3 --mem 256M
need
eq "Linux has CPUs 0-1 left" "0-1" "$(online_cpus)"
eq "a copy of their topology is kept for LWK programs" "$(cat /sys/devices/system/cpu/cpu0/topology/physical_package_id) $(ls /sys/devices/system/cpu/cpu0/cache | grep -c index)" \
	"$(cat /run/mk/cpu/cpu2/topology/physical_package_id) $(ls /run/mk/cpu/cpu2/cache | grep -c index)"
eq "sysfs cpus" "2-3" "$(cat /sys/kernel/mk/cpus)"
eq "sysfs memory" "268435456" "$(cat /sys/kernel/mk/memory)"
eq "sysfs state" "reserved" "$(cat /sys/kernel/mk/state)"
eq "sysfs memory_nodes" "0 268435456" "$(cat /sys/kernel/mk/memory_nodes)"
ok "sysfs chunks sum to 256 MiB, each >= 2 MiB and 2 MiB aligned" sh -c '
	awk "{ s += \$4; if (\$4 < 2097152 || (\$4 % 2097152) || (strtonum(\$1) % 2097152)) bad = 1 }
	     END { exit bad || s != 268435456 }" /sys/kernel/mk/memory_chunks 2>/dev/null ||
	awk "{ s += \$4; if (\$4 < 2097152 || (\$4 % 2097152)) bad = 1 } END { exit bad || s != 268435456 }" /sys/kernel/mk/memory_chunks'
eq "mkctl status --json: state" "reserved" "$(status_field state)"
eq "mkctl status --json: cpulist" "2-3" "$(status_field cpulist)"
ok "mkctl status --json: total_bytes" sh -c 'mkctl status --json | grep -q "\"total_bytes\": 268435456"'
ok "mkctl status (table) shows the CPUs" sh -c 'mkctl status | grep -q "^cpus *2-3 (2 CPUs)"'
# tee says why the write failed (dash's echo says only "I/O error").
fails "Linux cannot bring a reserved CPU online behind mk's back" "busy" \
	sh -c 'echo 1 | tee /sys/devices/system/cpu/cpu2/online'
eq "CPU 2 is still offline" "0" "$(cat /sys/devices/system/cpu/cpu2/online)"

ok "mkctl release" mkctl release
eq "all CPUs online again" "0-3" "$(online_cpus)"
eq "... and their copies are gone" "" "$(ls -A /run/mk/cpu)"
eq "state is free again" "free" "$(cat /sys/kernel/mk/state)"
eq "sysfs memory is 0" "0" "$(cat /sys/kernel/mk/memory)"
ok "the released CPUs run pinned tasks" cpus_schedulable 2,3
ok "free memory (MemFree + per-CPU lists) is back" memfree_back "$free0"

before=$(memfree_kb) usable=$(usable_kb)
ok "mkctl reserve --mem 256M alone" mkctl reserve --mem 256M
ok "free memory and page cache dropped by 256 MiB (within 1 %)" within 1 $((usable - $(usable_kb))) 262144
ok "mkctl release --mem" mkctl release --mem
ok "free memory (MemFree + per-CPU lists) is back after the memory-only cycle" memfree_back "$before"

ok "CPUs and memory can be reserved separately" sh -c 'mkctl reserve --cpus 3 && mkctl reserve --mem 64M && mkctl reserve --cpus 2'
eq "both CPUs held" "2-3" "$(cat /sys/kernel/mk/cpus)"
ok "release --cpus 2 gives back only CPU 2" mkctl release --cpus 2
eq "CPU 2 back, CPU 3 still held" "0-2 3" "$(online_cpus) $(cat /sys/kernel/mk/cpus)"
ok "release --mem gives back only the memory" mkctl release --mem
eq "memory back, CPU 3 still held" "0 3" "$(cat /sys/kernel/mk/memory) $(cat /sys/kernel/mk/cpus)"
ok "release gives back the rest" mkctl release
eq "nothing held" "free 0-3" "$(cat /sys/kernel/mk/state) $(online_cpus)"
ok "free memory (MemFree + per-CPU lists) is back after all that" memfree_back "$free0"
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
