# On the test node (bench/syscall/run): mk-syscall-bench natively on Linux
# CPU 3, Linux's futex wake-up between CPUs 2 and 3, then mk-syscall-bench
# under mkexec on the LWK core that was CPU 3 with the doorbells it took,
# again with mkexec --poll, the first write to a shared /dev/shm and ext4
# file on each side (apart, after the doorbells are counted),
# then the ring's cache-line floor between Linux CPUs 0 and 1 for reference.
iters=${1:-2000}
mib=${2:-1024}
# Shared file mappings: a /dev/shm file, and one on ext4 (a loop-mounted image).
modprobe loop && modprobe ext4 && dd if=/dev/zero of=/tmp/ext4.img bs=1M count=48 2>/dev/null &&
	mkfs.ext4 -q -F /tmp/ext4.img && mkdir -p /mnt/ext4 && mount -o loop /tmp/ext4.img /mnt/ext4 ||
	echo "@@ failed: ext4"
files="/dev/shm/mk-touch /mnt/ext4/mk-touch"
echo "@@ linux"
taskset -c 3 mk-syscall-bench "$iters" "$mib" || echo "@@ failed: linux"
echo "@@ linux-files"
taskset -c 3 mk-syscall-bench 10 1 $files || echo "@@ failed: linux-files"
echo "@@ futex"
taskset -c 2,3 mk-threads-bench futex "$iters" | grep '^futex-one-way ' || echo "@@ failed: futex"
insmod "$MK_KO" || { echo "@@ failed: insmod"; exit 1; }
mkctl boot --cpus 2-3 --mem 1536M >/dev/null 2>&1 || { echo "@@ failed: mkctl boot"; exit 1; }
# Doorbells both ways on the LWK core (index 1) around the run, less the
# one round trip each count itself takes.
doorbells() { mkctl ping --core 1 --count 1 --json | tr -d ' ' | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
to_lwk0=$(doorbells lwk_doorbells) to_linux0=$(doorbells linux_doorbells)
echo "@@ lwk"
mkexec --cpus 3-3 "$(command -v mk-syscall-bench)" "$iters" "$mib" || echo "@@ failed: lwk"
to_lwk1=$(doorbells lwk_doorbells) to_linux1=$(doorbells linux_doorbells)
echo "doorbells $iters $((to_lwk1 - to_lwk0 - 1)) $((to_linux1 - to_linux0 - 1))"
# Shared file mappings apart: a tracked page's first write is a forwarded call.
echo "@@ lwk-files"
mkexec --cpus 3-3 "$(command -v mk-syscall-bench)" 10 1 $files || echo "@@ failed: lwk-files"
# The same with one mkexec server spinning for the calls (mkexec --poll).
echo "@@ lwk-poll"
mkexec --poll --cpus 3-3 "$(command -v mk-syscall-bench)" "$iters" 64 || echo "@@ failed: lwk-poll"
mkctl shutdown >/dev/null 2>&1
rmmod mk
umount /mnt/ext4 2>/dev/null
echo "@@ ring"
mk-ring-bench --cpus 0,1 --rounds 2 --samples 200 --messages 20000 2>&1 | grep -i -E "floor|mk ring" | head -7
echo "@@ end"
