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
step mkexec --cpus 2 "$MK_PROGS/threads" 2 100
step mkexec --cpus 2 "$MK_PROGS/omp"
# Ctrl-C reaches the program's handler; a crash is reported as a shell would.
step sh -c "mkexec $MK_PROGS/signals wait-int & sleep 1; kill -INT \$!; wait \$!; echo \"exit status \$?\""
step sh -c "mkexec $MK_PROGS/signals segv; echo \"exit status \$?\""
step mkctl log
step mkctl ping --count 100
step mkctl shutdown
step cat /sys/devices/system/cpu/online
step rmmod mk
