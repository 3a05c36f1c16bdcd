# The node's root is the host's / (read-only over virtio-9p) under a tmpfs
# overlay: Debian's own dynamically linked programs run in it with their
# libraries, mk's build is at the host's path, the guest has its own /proc,
# /sys, /dev, /tmp and /run, and what the node writes stays in the node.
. /mk/tests/lib.sh

eq "the root is an overlay" "overlay" "$(awk '$2 == "/" { print $3 }' /proc/mounts | tail -1)"
for d in /proc:proc /sys:sysfs /dev:devtmpfs /tmp:tmpfs /run:tmpfs; do
	eq "${d%%:*} is the guest's own ${d#*:}" "${d#*:}" \
		"$(awk -v d="${d%%:*}" '$2 == d { t = $3 } END { print t }' /proc/mounts)"
done
eq "/proc is this kernel's" "$MK_RELEASE" "$(cat /proc/sys/kernel/osrelease)"

# Debian programs against a second, independent implementation in the node.
seq 1 20000 >/tmp/numbers
eq "coreutils sha256sum agrees with busybox's" \
	"$(busybox sha256sum /tmp/numbers | cut -d' ' -f1)" "$(/usr/bin/sha256sum /tmp/numbers | cut -d' ' -f1)"
eq "bash runs, with its own arithmetic" "$(awk 'BEGIN { print 2^20 }')" "$(/bin/bash -c 'echo $((1 << 20))')"
eq "python3 with numpy" "$(awk 'BEGIN { for (i = 0; i < 1000; i++) s += i * i; print s }')" \
	"$(/usr/bin/python3 -c 'import numpy; print(int((numpy.arange(1000) ** 2).sum()))')"
ok "mpirun is there" /usr/bin/mpirun --version
ok "a dynamic program finds its libraries" sh -c '/usr/bin/ldd /usr/bin/python3 | grep -q libc.so.6'

ok "MK_KO is build's mk.ko, at the host's path" sh -c 'case $MK_KO in */build/kmod/$MK_KERNEL/mk.ko) test -f "$MK_KO" ;; *) exit 1 ;; esac'
ok "mkctl from build/ is on PATH" sh -c 'command -v mkctl | grep -q "/build/user/bin/mkctl$"'
ok "the node kernel's modules load" modprobe loop
ok "and the loop device works" sh -c 'dd if=/dev/zero of=/tmp/img bs=1M count=1 2>/dev/null && losetup -f --show /tmp/img'

# Writes: anywhere in the node, never on the host. /mk/host, the overlay's
# lower layer, shows the host as it is.
ok "the node can write under /etc and /usr" sh -c 'echo node >/etc/mk-node-probe && echo node >/usr/mk-node-probe'
eq "and reads it back" "node node" "$(cat /etc/mk-node-probe /usr/mk-node-probe | tr '\n' ' ' | sed 's/ $//')"
eq "/mk/host is the host's / over 9p" "9p" "$(awk '$2 == "/mk/host" { print $3 }' /proc/mounts)"
ok "the host's / is the same tree" test -f "/mk/host$MK_KO"
ok "the host's /etc does not have the node's file" test ! -e /mk/host/etc/mk-node-probe
ok "nor its /usr" test ! -e /mk/host/usr/mk-node-probe
fails "the host's / refuses writes" "Read-only" sh -c 'echo x >/mk/host/tmp/mk-node-probe'

ok "the kernel log is clean" dmesg_clean
finish
