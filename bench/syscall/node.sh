# On the test node (bench/syscall/run): mk-syscall-bench natively on Linux
# CPU 3, then under mkexec on the LWK core that was CPU 3, then the ring's
# cache-line floor between Linux CPUs 0 and 1 for reference.
iters=${1:-2000}
mib=${2:-1024}
echo "@@ linux"
taskset -c 3 mk-syscall-bench "$iters" "$mib" || echo "@@ failed: linux"
insmod "$MK_KO" || { echo "@@ failed: insmod"; exit 1; }
mkctl boot --cpus 2-3 --mem 1536M >/dev/null 2>&1 || { echo "@@ failed: mkctl boot"; exit 1; }
echo "@@ lwk"
mkexec --cpus 3-3 "$(command -v mk-syscall-bench)" "$iters" "$mib" || echo "@@ failed: lwk"
mkctl shutdown >/dev/null 2>&1
rmmod mk
echo "@@ ring"
mk-ring-bench --cpus 0,1 --rounds 2 --samples 200 --messages 20000 2>&1 | grep -i -E "floor|mk ring" | head -7
echo "@@ end"
