# mkvm: --timeout 900
# Random requests to mk.ko (tests/progs/ioctl_fuzz.c) from several processes
# at once, as root (every command: boot with garbage images, reserve and
# release at random, debug faults and corruption, spawns and process fds)
# and as a user of the device's group (what the privilege checks let
# through). Then the LWK is shut down and everything released: all CPUs
# online, the memory back, rmmod works, and the kernel's log shows no
# oops, warning or lockdep report. MK_FUZZ_SECONDS sets each run's length
# (20 s; `make fuzz` runs longer).
. /mk/tests/lib.sh

secs=${MK_FUZZ_SECONDS:-20}
MK_GID=990 ALICE=2001
echo "mk:x:$MK_GID:alice" >>/etc/group
echo "alice:x:$ALICE:$ALICE::/tmp:/bin/sh" >>/etc/passwd

insmod "$MK_KO" group=$MK_GID
free0=$(memfree_kb)
ok "boot on CPUs 2-3" mkctl boot --cpus 2-3 --mem 256M
need
ok "root: $secs s of random requests from 3 processes" "$MK_PROGS/ioctl_fuzz" "$secs" 3
grep '^ioctl_fuzz\|^fuzz child' "$MK_OUT" | sed 's/^/# /'
# A fresh LWK for the user's run, whatever the first left.
{ mkctl shutdown; mkctl release; mkctl boot --cpus 2-3 --mem 256M; } >/dev/null 2>&1
ok "a user of group mk: $secs s of random requests from 3 processes" \
	setpriv --reuid=$ALICE --regid=$ALICE --groups=$MK_GID --inh-caps=-all -- "$MK_PROGS/ioctl_fuzz" "$secs" 3
grep '^ioctl_fuzz\|^fuzz child' "$MK_OUT" | sed 's/^/# /'

case $(mk_state) in running|panicked|booting) mkctl shutdown >/dev/null 2>&1 ;; esac
mkctl release >/dev/null 2>&1
eq "nothing is left to mk" "free" "$(mk_state)"
eq "all CPUs online" "0-3" "$(online_cpus)"
ok "the CPUs run pinned tasks" cpus_schedulable 1,2,3
ok "free memory is back" memfree_back "$free0"
ok "rmmod" rmmod mk
ok "dmesg shows no warning, oops or lockdep report" dmesg_clean
finish
