# The module loads, creates /dev/mk for root and its group (root without
# group=; mode 0660), answers its version
# ioctl, and unloads leaving nothing behind and nothing in the kernel log.
. /mk/tests/lib.sh

ok "insmod mk.ko" insmod "$MK_KO"
need
ok "mk is listed in /proc/modules" grep -q '^mk ' /proc/modules
ok "/dev/mk is a character device" test -c /dev/mk
eq "/dev/mk mode is 0660 owned by root:root (no group= given)" "crw-rw---- root root" \
	"$(ls -l /dev/mk | awk '{ print $1, $3, $4 }')"
ok "mkctl reads the module's version" sh -c 'mkctl version | grep -q "^mk.ko .*ABI"'
fails "a user outside its group cannot open /dev/mk" "denied" \
	su nobody -s /bin/sh -c 'exec 3<>/dev/mk'
ok "rmmod mk" rmmod mk
ok "/dev/mk is gone after rmmod" test ! -e /dev/mk
ok "mk is no longer in /proc/modules" sh -c '! grep -q "^mk " /proc/modules'
ok "a second load/unload cycle works" sh -c 'insmod "$MK_KO" && test -c /dev/mk && rmmod mk'
ok "dmesg shows no warning or oops" dmesg_clean
finish
