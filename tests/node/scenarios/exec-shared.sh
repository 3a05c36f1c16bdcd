# MAP_SHARED and shared memory under mkexec: the LWK maps Linux's own pages
# (pinned by mk.ko), so LWK programs and Linux processes see each other's
# writes at once: /dev/shm (shm_open), memfd, SysV shm, read-only shared
# mappings of files, writable ones of ext4 files (tracked, not pinned: written
# back, truncated as on Linux); a shared futex between two LWK programs; SIGBUS past a
# file's end; process_vm_readv/writev between two LWK programs; and every
# pin dropped again (program exit, kill -9, shutdown).
# mkvm: --mem 2G --timeout 900
. /mk/tests/lib.sh

insmod "$MK_KO"
base=$(settled_memfree_kb) # before the LWK takes its memory
ok "boot the LWK on CPUs 2-3 with 512 MiB" mkctl boot --cpus 2-3 --mem 512M
need
free0=$(lwk_free)
cd "$MK_PROGS"
rm -f /dev/shm/mk-*

eq "an LWK program writes /dev/shm, Linux reads it" "put hello-lwk hello-lwk" \
	"$(mkexec ./shm put mk-a hello-lwk) $(./shm get mk-a)"
eq "Linux writes /dev/shm, an LWK program reads it" "hello-linux" \
	"$(./shm put mk-b hello-linux >/dev/null; mkexec ./shm get mk-b)"
# Live: each side waits (polling the page) for the other's write.
./shm put mk-c x >/dev/null
mkexec ./shm wait mk-c from-linux 30 >/tmp/lwk-wait &
w=$!
sleep 2
./shm mark mk-c from-linux
wait $w
eq "an LWK program sees Linux's write while both run" "saw from-linux" "$(cat /tmp/lwk-wait)"
./shm wait mk-c from-lwk 30 >/tmp/linux-wait &
w=$!
sleep 1
mkexec ./shm mark mk-c from-lwk
wait $w
eq "Linux sees an LWK program's write while both run" "saw from-lwk" "$(cat /tmp/linux-wait)"

# Two LWK programs on two cores, a futex in shared memory between them.
./shm put mk-d x >/dev/null
mkexec --cpus 2-2 ./shm ping mk-d 2000 >/tmp/ping &
p=$!
timeout 120 mkexec --cpus 3-3 ./shm pong mk-d 2000 >/tmp/pong
wait $p
eq "a shared futex between two LWK programs: 2000 round trips" \
	"ping: 2000 rounds, counter 4000 pong: 2000 rounds, counter 4000" "$(cat /tmp/ping) $(cat /tmp/pong)"

same "memfd: write(), the mapping and pread() agree" ./shm memfd
eq "SysV shm: an LWK program writes, Linux reads" "sysv: put lwk-sysv sysv: lwk-sysv" \
	"$(mkexec ./shm sysv-put 7001 lwk-sysv) $(./shm sysv-get 7001)"
eq "SysV shm: Linux writes, an LWK program reads (SHM_RDONLY)" "sysv: linux-sysv" \
	"$(./shm sysv-put 7002 linux-sysv >/dev/null; mkexec ./shm sysv-get 7002)"
same "SysV shm marked IPC_RMID stays attachable while attached; shm_nattch counts the LWK's attachments" ./shm sysv-rmid
same "a read-only shared mapping of a file (the host's, over 9p)" ./shm file /etc/passwd
same "... of a program" ./shm file /usr/bin/ls
same "a mapping past the file's end: SIGBUS there, as on Linux" ./shm sigbus
same "MAP_SHARED|MAP_FIXED of /dev/shm over a reserved PROT_NONE range" ./shm fixed mk-fixed
same "MAP_HUGETLB of a /dev/shm file is refused as on Linux (EINVAL)" ./shm hugetlb mk-huge
same "mk's own request to mkexec, issued by the program, is no call (ENOSYS)" ./shm forge

# Private read-only file mappings (libraries' code and read-only data) map
# the page cache's pages: a later write to the file shows in them as on
# Linux, until the program makes its mapping writable and gets a copy.
follow() { # PREFIX
	printf 'first version\n' >/tmp/pm.txt
	$1 ./private_map follow /tmp/pm.txt 30 >/tmp/pm.out &
	_p=$!
	wait_for_text mapped /tmp/pm.out
	printf 'second version\n' | dd of=/tmp/pm.txt conv=notrunc 2>/dev/null
	wait $_p
	cat /tmp/pm.out
}
follow "" >/tmp/pm.linux
follow mkexec >/tmp/pm.lwk
eq "a private read-only file mapping sees the file's later writes, and copies on mprotect: as on Linux" \
	"$(cat /tmp/pm.linux)" "$(cat /tmp/pm.lwk)"
eq "... (Linux's own answer)" "then: second version/after its write: own nd version/the file: second version" \
	"$(sed -n '2,4p' /tmp/pm.lwk | tr '\n' / | sed 's|/$||')"
# 48 MiB of a file mapped private: read-only costs the LWK no copy,
# writable a copy of it all.
head -c 50331648 /dev/urandom >/tmp/pm.big
held() { # PREFIX MODE: the LWK memory the program takes, in MiB; its output in /tmp/pm.held
	_f=$(lwk_free)
	$1 ./private_map "$2" /tmp/pm.big 48 >/tmp/pm.held &
	_p=$!
	wait_for_text held /tmp/pm.held
	echo $(((_f - $(lwk_free)) >> 20))
	kill -9 $_p; wait $_p 2>/dev/null
}
held "" hold >/dev/null
sum=$(cat /tmp/pm.held)
ro=$(held mkexec hold)
eq "48 MiB of a file mapped private read-only: the bytes Linux reads" "$sum" "$(cat /tmp/pm.held)"
rw=$(held mkexec hold-rw)
# (Both hold the program's own memory too: its stack, libc's data.)
ok "... take no LWK memory for them ($ro MiB in all); mapped writable, a copy ($rw MiB)" \
	test $((rw - ro)) -ge 44
rm -f /tmp/pm.big /tmp/pm.txt

# A real file system that tracks dirty pages (ext4 on a loop device).
modprobe loop && modprobe ext4
dd if=/dev/zero of=/tmp/ext4.img bs=1M count=32 2>/dev/null
mkfs.ext4 -q -F /tmp/ext4.img
mkdir -p /mnt/ext4
ok "mount an ext4 image" mount -o loop /tmp/ext4.img /mnt/ext4
seq 1 3000 >/mnt/ext4/numbers
same "a read-only shared mapping of a file on ext4" ./shm file /mnt/ext4/numbers
# Writable: tracked, not pinned (mk.ko's notifier on mkexec's mapping).
same "a writable shared mapping of an ext4 file: writes, read(), pwrite(), msync, truncation, SIGBUS, mprotect" \
	./shm file-rw /mnt/ext4/rw
# (Pinned pages outlive a truncation: the LWK keeps them, see docs/exec.md.)
same "... the same of a tmpfs file (pinned), but for the truncation" ./shm file-rw /tmp/mk-rw keep
rm -f /tmp/mk-rw
# A fork's child runs on the LWK by default, sharing the pinned pages; with
# a tracked mapping the child runs on Linux (it cannot share tracked pages).
same "fork with a writable shared mapping of a tmpfs file (child on the LWK): writes shared both ways, private ones not" \
	./shm file-fork /tmp/mk-forked
same "... of an ext4 file (tracked: the child runs on Linux)" ./shm file-fork /mnt/ext4/forked
rm -f /tmp/mk-forked
eq "an LWK program writes an ext4 file through a mapping, Linux reads it" "put hello-ext4 hello-ext4" \
	"$(mkexec ./shm put /mnt/ext4/a hello-ext4) $(./shm get /mnt/ext4/a)"
eq "Linux writes it, an LWK program reads it" "hello-linux" \
	"$(./shm put /mnt/ext4/b hello-linux >/dev/null; mkexec ./shm get /mnt/ext4/b)"
# Live, with writeback in between: Linux write-protects the pages it
# writes back, and the LWK's next write must fault them in again.
./shm put /mnt/ext4/c x >/dev/null
mkexec ./shm wait /mnt/ext4/c from-linux 30 >/tmp/lwk-wait &
w=$!
sleep 2
sync
./shm mark /mnt/ext4/c from-linux
wait $w
eq "an LWK program sees Linux's write to an ext4 file while both run" "saw from-linux" "$(cat /tmp/lwk-wait)"
./shm wait /mnt/ext4/c from-lwk 30 >/tmp/linux-wait &
w=$!
sleep 1
mkexec ./shm mark /mnt/ext4/c from-lwk
wait $w
eq "Linux sees an LWK program's write to it while both run" "saw from-lwk" "$(cat /tmp/linux-wait)"
./shm put /mnt/ext4/d x >/dev/null
mkexec --cpus 2-2 ./shm ping /mnt/ext4/d 2000 >/tmp/ping &
p=$!
timeout 120 mkexec --cpus 3-3 ./shm pong /mnt/ext4/d 2000 >/tmp/pong
wait $p
eq "a shared futex in an ext4 file between two LWK programs: 2000 round trips" \
	"ping: 2000 rounds, counter 4000 pong: 2000 rounds, counter 4000" "$(cat /tmp/ping) $(cat /tmp/pong)"
mkexec ./shm put /mnt/ext4/e reached-the-disk >/dev/null
umount /mnt/ext4
mount -o loop /tmp/ext4.img /mnt/ext4
eq "an LWK program's writes through the mapping reach the disk (after a remount)" "reached-the-disk" \
	"$(./shm get /mnt/ext4/e)"
same "16 MiB of an ext4 file filled and summed through a mapping (a fault per page)" ./shm big /mnt/ext4/big 16
seq 1 300000 >/mnt/ext4/seq
same "an ext4 file read through a writable mapping (pages around each fault come along)" ./shm scan /mnt/ext4/seq
# Nothing of a tracked mapping outlives its program: the file system unmounts.
mkexec ./shm hold /mnt/ext4/hold 4 >/tmp/hold &
h=$!
wait_for_text checksum /tmp/hold
kill -9 $h; wait $h 2>/dev/null
i=0; while [ $i -lt 50 ] && [ "$(lwk_programs)" != 0 ]; do sleep 0.2; i=$((i + 1)); done
eq "kill -9 of mkexec holding an ext4 mapping: no program is left" 0 "$(lwk_programs)"
ok "... and the ext4 file system unmounts (nothing holds it)" umount /mnt/ext4

# Memory: 64 MiB of shared memory, its pins dropped at the end every way.
rm -f /dev/shm/mk-*
ipcrm -M 7001 2>/dev/null; ipcrm -M 7002 2>/dev/null
before=$(memfree_kb)
same "64 MiB of /dev/shm filled and summed" ./shm big mk-big 64
rm -f /dev/shm/mk-big
ok "after the program and the file are gone, Linux has its memory back" memfree_back "$before"
mkexec ./shm hold mk-hold 64 >/tmp/hold &
h=$!
wait_for_text checksum /tmp/hold
kill -9 $h; wait $h 2>/dev/null
rm -f /dev/shm/mk-hold
i=0; while [ $i -lt 50 ] && ! memfree_back "$before" >/dev/null; do sleep 0.2; i=$((i + 1)); done
ok "kill -9 of mkexec holding 64 MiB shared: the memory comes back" memfree_back "$before"
eq "no program is left" 0 "$(lwk_programs)"
eq "the LWK's free memory is back" "$free0" "$(lwk_free)"

# One program reads and writes another's memory (process_vm_readv/writev,
# Open MPI's one-copy path): the same as between two Linux processes.
cma_pair() { # PREFIX: "" (Linux) or mkexec, for both programs
	rm -f /tmp/cma.where
	$1 ./cma hold 8 /tmp/cma.where >/tmp/cma.hold 2>&1 &
	_h=$!
	_i=0; while [ $_i -lt 150 ] && [ ! -s /tmp/cma.where ]; do sleep 0.2; _i=$((_i + 1)); done
	read -r _pid _addr </tmp/cma.where
	$1 ./cma read "$_pid" "$_addr" 8
	$1 ./cma write "$_pid" "$_addr"
	rm -f /tmp/cma.where
	wait $_h
	cat /tmp/cma.hold
}
cma_pair "" >/tmp/cma.linux
cma_pair mkexec >/tmp/cma.lwk
eq "process_vm_readv/writev between two LWK programs: as between two Linux processes" \
	"$(cat /tmp/cma.linux)" "$(cat /tmp/cma.lwk)"
eq "... which read what was there and wrote into the other" "3" "$(grep -c '0 wrong\|done\|written by a peer' /tmp/cma.lwk)"

mkexec ./shm hold mk-hold 64 >/tmp/hold &
h=$!
mount -o loop /tmp/ext4.img /mnt/ext4
mkexec ./shm hold /mnt/ext4/hold 4 >/tmp/hold-ext4 &
h2=$!
wait_for_text checksum /tmp/hold
wait_for_text checksum /tmp/hold-ext4
ok "mkctl shutdown while programs hold shared memory and an ext4 mapping" mkctl shutdown
wait $h 2>/dev/null
eq "its mkexec ends as killed" 137 "$?"
wait $h2 2>/dev/null
eq "... and the other's" 137 "$?"
ok "the ext4 file system unmounts" umount /mnt/ext4
rm -f /dev/shm/mk-* /tmp/ext4.img # the image's 32 MiB are memory of the node's tmpfs
ok "and that memory comes back too (with the LWK's)" within 1 "$(settled_memfree_kb)" "$base"
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
