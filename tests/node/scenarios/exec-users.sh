# Ordinary users: /dev/mk belongs to root and group mk (mode 0660), a
# member of the group runs programs with mkexec as herself — the program
# sees her ids, its files are hers, root's files stay closed to it — and
# reads the status; control (boot, shutdown, reserve, release, debug, ping)
# needs CAP_SYS_ADMIN and changes nothing when refused; a user outside the
# group cannot open the device. No pointer a program passes reaches
# mkexec's own memory. Credential changes reach all of mkexec's
# threads at once; calls Linux keeps per thread are refused; under kernel
# lockdown nothing boots.
. /mk/tests/lib.sh

MK_GID=990 ALICE=2001 BOB=2002
echo "mk:x:$MK_GID:alice" >>/etc/group
echo "alice:x:$ALICE:$ALICE::/tmp/alice:/bin/sh" >>/etc/passwd
echo "alice:x:$ALICE:" >>/etc/group
echo "bob:x:$BOB:$BOB::/tmp:/bin/sh" >>/etc/passwd
echo "bob:x:$BOB:" >>/etc/group
mkdir -p /tmp/alice && chown $ALICE:$ALICE /tmp/alice
# as_alice / as_bob CMD...: CMD as that user, no capability left.
as_alice() { setpriv --reuid=$ALICE --regid=$ALICE --groups=$MK_GID --inh-caps=-all -- "$@"; }
as_bob() { setpriv --reuid=$BOB --regid=$BOB --clear-groups --inh-caps=-all -- "$@"; }

fails "insmod with a mode that is not read/write bits is refused" "" insmod "$MK_KO" mode=0777
ok "insmod with group=$MK_GID" insmod "$MK_KO" group=$MK_GID
eq "/dev/mk is root:mk, mode 660" "0:$MK_GID 660" "$(stat -c '%u:%g %a' /dev/mk)"
ok "boot the LWK on CPUs 2-3 (root)" mkctl boot --cpus 2-3 --mem 256M
need
cd "$MK_PROGS"
before=$(mkctl status --json | grep -v '"uptime_ns"\|"free_bytes"\|"irqs"')

# --- a user of group mk runs programs ----------------------------------------
eq "alice runs a program on the LWK" "hello, world" "$(as_alice mkexec ./hello)"
eq "it sees her ids (busybox id, as on Linux)" "$(as_alice /bin/busybox id)" "$(as_alice mkexec /bin/busybox id)"
as_alice mkexec /bin/busybox touch /tmp/alice/made-on-lwk
eq "a file it creates is hers" "$ALICE:$ALICE" "$(stat -c '%u:%g' /tmp/alice/made-on-lwk)"
fails "root's files stay closed to it, as on Linux" "Permission denied" as_alice mkexec /bin/busybox cat /etc/shadow
as_alice mkexec ./hello >/dev/null 2>&1 &
eq "mkctl status as alice works" "0" "$(as_alice mkctl status >/dev/null 2>&1; echo $?)"
wait
as_alice mkexec /bin/busybox sleep 3 &
sleep 1.5
eq "mkctl status names the program's user" "alice" \
	"$(as_alice mkctl status --json | sed -n 's/^ *"user": "\(.*\)",*$/\1/p' | head -1)"
wait
eq "her program reaches nothing of mk through mkexec's descriptors" "0 reached mk" \
	"$(as_alice mkexec ./escape </dev/null | sed -n 's/^escape: .*, //p')"
out=$(as_alice mkexec ./reach)
eq "it finds mkexec's writable memory (through /proc/self/../self/maps)" "targets: found" "$(echo "$out" | head -1)"
eq "and no call reaches it: read, readv, recvmsg, pipe, process_vm_writev, /proc/self/mem; the same calls on its own memory work" \
	"read: 0 reached
readv: 0 reached
recvmsg: 0 reached
pipe: 0 reached
process_vm_writev: 0 reached
/proc/self/mem: 0 reached
recvmsg into its own buffer: 1 'z'
sendmmsg of no message: 0" "$(echo "$out" | tail -n +2)"
eq "mkexec and the LWK are unaffected" "hello, world" "$(as_alice mkexec ./hello)"

# --- control is the administrator's -----------------------------------------
fails "alice: mkctl shutdown needs CAP_SYS_ADMIN" "needs CAP_SYS_ADMIN" as_alice mkctl shutdown
fails "alice: mkctl boot needs CAP_SYS_ADMIN" "needs CAP_SYS_ADMIN" as_alice mkctl boot --cpus 1 --mem 64M
fails "alice: mkctl reserve needs CAP_SYS_ADMIN" "needs CAP_SYS_ADMIN" as_alice mkctl reserve --cpus 1
fails "alice: mkctl release needs CAP_SYS_ADMIN" "needs CAP_SYS_ADMIN" as_alice mkctl release
fails "alice: mkctl ping needs CAP_SYS_ADMIN" "needs CAP_SYS_ADMIN" as_alice mkctl ping
eq "nothing changed" "$before" "$(mkctl status --json | grep -v '"uptime_ns"\|"free_bytes"\|"irqs"')"
eq "the LWK still runs programs" "hello, world" "$(as_alice mkexec ./hello)"
fails "bob (not in group mk) cannot open /dev/mk" "permission denied.*group" as_bob mkexec ./hello

# --- credentials across mkexec's threads --------------------------------------
./creds $ALICE >/tmp/creds.linux 2>&1
mkexec ./creds $ALICE >/tmp/creds.lwk 2>&1
eq "root's threaded program becomes alice: the same as on Linux" "$(cat /tmp/creds.linux)" "$(cat /tmp/creds.lwk)"
grep -q "0 disagreed" /tmp/creds.lwk
eq "every thread has her ids at once" "0" "$?"
eq "calls Linux keeps per thread are refused" "capset: Operation not permitted
unshare(CLONE_FILES): Operation not permitted
prctl(PR_SET_NO_NEW_PRIVS): Operation not permitted" "$(mkexec ./creds refused)"

# --- pages alice may only read ------------------------------------------------
# A shared read-only mapping of root's file, shown to Linux once, then given
# to read(2): Linux refuses to write it (EFAULT), the file keeps its bytes.
printf 'original\n' >/tmp/rootfile
chmod 644 /tmp/rootfile
as_alice ./rowrite /tmp/rootfile >/tmp/rowrite.linux 2>&1
as_alice mkexec ./rowrite /tmp/rootfile >/tmp/rowrite.lwk 2>&1
eq "alice's read into her read-only mapping of root's file: EFAULT, as on Linux" \
	"$(cat /tmp/rowrite.linux)" "$(cat /tmp/rowrite.lwk)"
eq "... and root's file is unchanged" "original" "$(cat /tmp/rootfile)"

# --- another user's memory -------------------------------------------------------
# Linux's ptrace check decides for process_vm_readv between LWK programs too.
rm -f /tmp/cma.where
mkexec ./cma hold 1 /tmp/cma.where >/dev/null 2>&1 &
h=$!
i=0; while [ $i -lt 150 ] && [ ! -s /tmp/cma.where ]; do sleep 0.2; i=$((i + 1)); done
read -r pid addr </tmp/cma.where
eq "alice cannot read root's LWK program (process_vm_readv), as on Linux" \
	"$(as_alice ./cma read "$pid" "$addr" 1 2>&1)" "$(as_alice mkexec ./cma read "$pid" "$addr" 1 2>&1)"
eq "... the refusal is EPERM" "process_vm_readv: Operation not permitted" \
	"$(as_alice mkexec ./cma read "$pid" "$addr" 1 2>&1)"
ok "... while root's own program may" sh -c "mkexec ./cma read $pid $addr 1 | grep -q '0 wrong'"
rm -f /tmp/cma.where
wait $h

# --- lockdown (one way: last) -------------------------------------------------
ok "shutdown (root)" mkctl shutdown
if mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || [ -e /sys/kernel/security/lockdown ]; then
	if echo integrity >/sys/kernel/security/lockdown 2>/dev/null; then
		fails "under lockdown, root cannot boot the LWK" "locked down" mkctl boot --cpus 2-3 --mem 256M
		eq "and nothing stays reserved" "free" "$(mk_state)"
	else
		echo "# this kernel has no lockdown LSM: skipped"
	fi
fi
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
