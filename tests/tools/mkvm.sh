#!/usr/bin/env bash
# Tests of the test-node runner itself, run on the host by tools/check.
# Prints "ok - DESC" / "not ok - DESC" per check; exits non-zero on a failure.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkvm=("$root/tools/mkvm" --no-build --log "$root/build/test-logs/mkvm-self.log")
fails=0
check() { # DESC EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then echo "ok - $1"; else
		echo "not ok - $1"; echo "#   expected: $2"; echo "#   actual:   $3"; fails=$((fails + 1)); fi
}
status() { "$@" >/dev/null 2>&1; echo $?; }

for k in 6.1 6.12; do
	rel=$(cat "$root/.cache/kernels/$k/release")
	out=$("${mkvm[@]}" --kernel "$k" -- cat /proc/version 2>&1)
	check "--kernel $k boots Linux $rel" "yes" "$(echo "$out" | grep -q "Linux version $rel " && echo yes)"
done
check "the guest command's status 0 is mkvm's" 0 "$(status "${mkvm[@]}" -- true)"
check "false in the guest makes mkvm exit 1" 1 "$(status "${mkvm[@]}" -- false)"
check "exit 42 in the guest makes mkvm exit 42" 42 "$(status "${mkvm[@]}" -- sh -c 'exit 42')"
check "words with spaces and quotes reach the guest intact" "a b|it's|\$x" \
	"$("${mkvm[@]}" -- sh -c 'printf "%s|%s|%s" "$1" "$2" "$3"' sh "a b" "it's" '$x' 2>/dev/null)"

start=$(date +%s)
err=$("${mkvm[@]}" --timeout 8 -- sleep 1000 2>&1 >/dev/null)
rc=$?
check "a hung guest is killed at the timeout with exit 124" 124 "$rc"
check "the timeout is reported clearly" yes "$(echo "$err" | grep -q 'did not finish within 8 s' && echo yes)"
check "the hung guest was killed promptly" yes "$([ $(($(date +%s) - start)) -lt 30 ] && echo yes)"

tmp=$(mktemp -d)
echo "payload $$" >"$tmp/file.txt"
check "--add copies a file to /root" "payload $$" "$("${mkvm[@]}" --add "$tmp/file.txt" -- cat file.txt 2>/dev/null)"
check "--add HOST:GUEST picks the guest path" "payload $$" \
	"$("${mkvm[@]}" --add "$tmp/file.txt:/opt/x/y.txt" -- cat /opt/x/y.txt 2>/dev/null)"
rm -rf "$tmp"

check "--cpus 2 --mem 1G gives 2 CPUs" 2 "$("${mkvm[@]}" --cpus 2 --mem 1G -- nproc 2>/dev/null)"
check "--numa 2 gives two NUMA nodes with two CPUs each" "0-1 2-3" \
	"$("${mkvm[@]}" --numa 2 -- sh -c 'echo $(cat /sys/devices/system/node/node0/cpulist /sys/devices/system/node/node1/cpulist)' 2>/dev/null)"
check "--append reaches the kernel command line" yes \
	"$("${mkvm[@]}" --append "isolcpus=3 mk.test=1" -- cat /proc/cmdline 2>/dev/null | grep -q 'isolcpus=3 mk.test=1' && echo yes)"
check "a bad option is refused with status 125" 125 "$(status "$root/tools/mkvm" --cpus x -- true)"

[ "$fails" -eq 0 ]
