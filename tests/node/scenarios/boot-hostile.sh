# A hostile LWK: one core, on purpose (mkctl debug corrupt), overwrites the
# CPU numbers, APIC ids, states and core count in its boot parameters (an
# INIT sent by them would stop Linux's CPU 0), fills its ring to Linux with
# garbage, and points the running program's page tables at Linux's memory.
# Linux stays healthy, reads nothing of it as true, and mkctl shutdown
# gives every CPU and all the memory back. Then an LWK that does not flush
# pages Linux takes back: mk.ko stops it.
. /mk/tests/lib.sh

insmod "$MK_KO"
free0=$(memfree_kb)
ok "boot on CPUs 2-3" mkctl boot --cpus 2-3 --mem 256M
need
mkexec --cpus 2-2 /bin/busybox sh -c 'while :; do echo x; done' >/dev/null 2>&1 &
prog=$!
sleep 1
eq "a program runs on the core that turns hostile" "1" "$(lwk_programs)"
ok "mkctl debug corrupt --core 0" mkctl debug corrupt --core 0
sleep 1
ok "Linux is healthy: it computes" sh -c '[ "$(seq 1 20000 | md5sum | cut -c1-8)" = "$(seq 1 20000 | md5sum | cut -c1-8)" ]'
ok "Linux is healthy: it writes files" sh -c 'dd if=/dev/zero of=/tmp/f bs=1M count=32 2>/dev/null && rm /tmp/f'
eq "Linux's CPUs are still online" "0-1" "$(online_cpus)"
eq "mkctl status shows Linux's own record of the cores, not the LWK's" "2 3" \
	"$(mkctl status --json | sed -n 's/^ *"cpu": \([0-9]*\),*$/\1/p' | tr '\n' ' ' | sed 's/ $//')"
ok "dmesg reports the corrupt channel" sh -c 'dmesg | grep -q "the channel from LWK core 0 is corrupt"'
kill -9 $prog 2>/dev/null
wait $prog 2>/dev/null
ok "mkctl shutdown recovers" mkctl shutdown
eq "all CPUs online" "0-3" "$(online_cpus)"
ok "the CPUs run pinned tasks" cpus_schedulable 2,3
ok "free memory is back" memfree_back "$free0"
ok "a new LWK boots on the same CPUs" mkctl boot --cpus 2-3 --mem 256M
eq "and runs programs" "hello, world" "$(mkexec "$MK_PROGS/hello")"
ok "shutdown" mkctl shutdown

# An LWK that does not drop the pages of a tracked file mapping (ext4) when
# Linux changes them: mk.ko stops its cores before Linux frees the pages.
ok "boot an LWK that ignores flush requests (debug=noflush)" mkctl boot --cpus 2-3 --mem 256M --cmdline debug=noflush
modprobe loop && modprobe ext4
dd if=/dev/zero of=/tmp/ext4.img bs=1M count=16 2>/dev/null
mkfs.ext4 -q -F /tmp/ext4.img
mkdir -p /mnt/ext4
ok "mount an ext4 image" mount -o loop /tmp/ext4.img /mnt/ext4
mkexec "$MK_PROGS/shm" hold /mnt/ext4/h 1 >/tmp/hold 2>&1 &
h=$!
wait_for_text checksum /tmp/hold
ok "Linux truncates the file the program maps" timeout 60 truncate -s 0 /mnt/ext4/h
ok "mk.ko stopped the LWK's cores first" sh -c 'dmesg | grep -q "stopped the LWK.s cores: it did not drop pages"'
ok "mkctl shutdown recovers" mkctl shutdown
wait $h 2>/dev/null
eq "the program's mkexec ends as killed" 137 "$?"
ok "the file system unmounts" umount /mnt/ext4
rm -f /tmp/ext4.img
eq "all CPUs online" "0-3" "$(online_cpus)"
ok "free memory is back" memfree_back "$free0"
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
