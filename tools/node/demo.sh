# The mk demo, run on a test node by tools/demo. Each step prints the
# command it runs, as a user would type it.
step() { echo; echo "node# $*"; "$@"; }

echo "== mk demo on a $(nproc)-CPU test node, Linux $(uname -r)"
step insmod "$MK_KO"
step mkctl boot --cpus 2-3 --mem 256M
step cat /sys/devices/system/cpu/online
step mkctl status
step mkexec "$MK_PROGS/hello"
step sh -c "seq 1 100000 | mkexec /bin/busybox sha256sum"
step mkctl log
step mkctl ping --count 100
step mkctl shutdown
step cat /sys/devices/system/cpu/online
step rmmod mk
