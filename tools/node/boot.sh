# init of the mk test node, second stage, in the node's root (busybox sh and
# applets from /mk, in the node's RAM; the command runs with the node's own
# PATH and sh, the host's with its root): the guest's own /proc, /sys, /dev,
# /tmp and /run, shares, network and ssh for a cluster, then the command
# (/mk/run, stdin from /dev/null); its exit status goes to the second serial
# port and the node powers off. Nodes other than node0 serve ssh until
# tools/mkvm powers them off.
. /mk/env
# The guest's /proc first: until then, /proc is the host's, seen through
# 9p (and /proc/self/exe, by which busybox finds itself, is QEMU).
/mk/busybox mkdir -p /proc
/mk/busybox mount -t proc proc /proc
/mk/busybox mkdir -p /mk/boot-bin
/mk/busybox --install -s /mk/boot-bin
export PATH=/mk/boot-bin:/usr/sbin:/usr/bin:/sbin:/bin

echo "stage the node's system" >/dev/ttyS1
# The project's tree (and its .cache) may lie where the guest mounts its
# own file systems (a clone in /tmp): keep the overlay's view of them and
# put it back on top.
kept="" n=0
for d in $MK_KEEP; do
	case $d in
	/tmp|/tmp/*|/run|/run/*|/dev|/dev/*)
		n=$((n + 1))
		mkdir -p "/mk/keep/$n"
		mount --bind "$d" "/mk/keep/$n" && kept="$kept $n:$d"
		;;
	esac
done
mkdir -p /sys /dev /tmp /run /root
node=$(sed -n 's/.*mk\.node=\([0-9]*\).*/\1/p' /proc/cmdline)
node=${node:-0}
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
for k in $kept; do
	mkdir -p "${k#*:}"
	mount --move "/mk/keep/${k%%:*}" "${k#*:}" || fail "cannot keep ${k#*:} in view"
done

fail() {
	echo "boot: $*" >&2
	echo "error $*" >/dev/ttyS1
	printf '\001' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	/mk/busybox poweroff -f
}

# The node kernel's modules, for modprobe (the host has none of its own).
if [ -n "${MK_MODULES:-}" ]; then
	mkdir -p "/lib/modules/$MK_RELEASE"
	mount --bind "$MK_MODULES" "/lib/modules/$MK_RELEASE"
fi

for s in $MK_SHARES; do
	mkdir -p "${s#*:}"
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=mmap "${s%%:*}" "${s#*:}" ||
		fail "cannot mount the shared folder ${s#*:}"
done

ip link set lo up
if [ "$MK_NODES" -gt 1 ]; then
	name=node$node
	{
		echo "127.0.0.1 localhost"
		k=0
		while [ "$k" -lt "$MK_NODES" ]; do
			echo "10.0.2.$((k + 1)) node$k"
			k=$((k + 1))
		done
	} >/etc/hosts
	ip addr add "10.0.2.$((node + 1))/24" dev eth0 && ip link set eth0 up ||
		fail "cannot bring up eth0"
	# ssh as root between the nodes with this run's key; an unknown host
	# key is no question (every run makes new ones).
	mkdir -p /root/.ssh /etc/dropbear /etc/ssh/ssh_config.d
	chmod 700 /root/.ssh
	cp /mk/ssh/id_ed25519 /mk/ssh/id_ed25519.pub /root/.ssh/
	cp /mk/ssh/id_ed25519.pub /root/.ssh/authorized_keys
	chmod 600 /root/.ssh/id_ed25519 /root/.ssh/authorized_keys
	# The command of an ssh login runs in bash, which reads root's
	# ~/.bashrc: the host's may set up tools (a pyenv init took 6 s of
	# every ssh under emulation). The node's root has none of its own.
	for f in .bashrc .bash_profile .profile .bash_login; do
		[ ! -e "/root/$f" ] || : >"/root/$f"
	done
	printf '%s\n' "Host node* localhost" "  StrictHostKeyChecking no" \
		"  UserKnownHostsFile /dev/null" "  LogLevel ERROR" "  BatchMode yes" \
		"  GSSAPIAuthentication no" \
		>/etc/ssh/ssh_config.d/mk-node.conf
	dropbear -r /mk/ssh/host_ed25519 -p 22 -E >/tmp/dropbear.log 2>&1 ||
		fail "cannot start dropbear"
else
	name=mk-node
	printf '127.0.0.1 localhost %s\n' "$name" >/etc/hosts
fi
hostname "$name"
# No name server is reachable from a node: names are the nodes' own, and a
# lookup of anything else fails at once instead of waiting for a timeout.
rm -f /etc/resolv.conf
: >/etc/resolv.conf
echo "$name" >/etc/hostname 2>/dev/null

# A login over ssh gets the node's environment too: mk's programs on PATH
# (dropbear's default PATH has /usr/local/bin) and $MK_KO and the rest
# (bash reads /etc/bash.bashrc for commands run by an ssh server).
if [ "$MK_ROOTFS" = host ]; then
	ln -sf /mk/bin/* /usr/local/bin/
	[ -f /etc/bash.bashrc ] && { echo ". /mk/env; export PATH=\$MK_PATH"; cat /etc/bash.bashrc; } \
		>/tmp/bash.bashrc && cp /tmp/bash.bashrc /etc/bash.bashrc && rm /tmp/bash.bashrc
fi

# Only emergencies on the console: the command's output stays readable;
# scenarios read dmesg themselves.
dmesg -n 1
stty -onlcr </dev/console 2>/dev/null

export PATH="$MK_PATH" HOME=/root TERM=dumb
cd /root

if [ "$node" -ne 0 ]; then
	while :; do sleep 3600; done
fi

# node0 runs the command once every other node answers on ssh.
[ "$MK_NODES" -eq 1 ] || echo "stage waiting for the other nodes' ssh" >/dev/ttyS1
k=1
while [ "$k" -lt "$MK_NODES" ]; do
	tries=0
	until ssh -o ConnectTimeout=5 "node$k" true 2>/dev/null; do
		tries=$((tries + 1))
		[ "$tries" -lt 120 ] || fail "node$k does not answer on ssh"
		sleep 1
	done
	k=$((k + 1))
done

# For the runner: from here on a failure is the command's, not the boot's.
echo started >/dev/ttyS1
# The node's own sh by its path: busybox's sh would run its applets in
# place of the host's programs of the same names.
/bin/sh /mk/run </dev/null
rc=$?

echo "status $rc" >/dev/ttyS1
sync
# isa-debug-exit: QEMU leaves at once; poweroff is the fallback.
printf '\001' | /mk/busybox dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
/mk/busybox poweroff -f
