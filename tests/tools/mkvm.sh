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
check "--nodes 5 is refused with status 125" 125 "$(status "$root/tools/mkvm" --nodes 5 -- true)"
check "--share of a missing folder is refused" 125 "$(status "$root/tools/mkvm" --share /nonexistent/x -- true)"

# The host's / is the node's root; what the node writes stays in the node.
probe=$root/build/.mkvm-probe-$$
rm -f "$probe"
check "the node writes into the host's tree and reads it back" "in the node" \
	"$("${mkvm[@]}" -- sh -c "echo 'in the node' >$probe && cat $probe" 2>/dev/null)"
check "the write did not reach the host" no "$([ -e "$probe" ] && echo yes || echo no)"
check "a Debian program runs in the node" "$(printf 'x\n' | sha1sum)" \
	"$("${mkvm[@]}" -- sh -c "printf 'x\n' | /usr/bin/sha1sum" 2>/dev/null)"
check "--minimal: a busybox root without the host's programs" "busybox no-python" \
	"$("${mkvm[@]}" --minimal -- sh -c '[ -e /usr/bin/python3 ] && p=python || p=no-python; echo "$(basename "$(readlink /bin/sh)") $p"' 2>/dev/null)"

# --share: the node's writes appear on the host, and the host's files in the node.
tmp=$(mktemp -d)
echo "from the host $$" >"$tmp/in.txt"
out=$("${mkvm[@]}" --share "$tmp" -- sh -c "cat $tmp/in.txt && echo 'from the node' >$tmp/out.txt" 2>/dev/null)
check "--share: the node reads the host's file" "from the host $$" "$out"
check "--share: the node's file is on the host" "from the node" "$(cat "$tmp/out.txt" 2>/dev/null)"
"${mkvm[@]}" --share "$tmp:/results" -- sh -c 'seq 1 3 >/results/seq.csv' >/dev/null 2>&1
check "--share HOST:GUEST mounts at GUEST" "1 2 3" "$(echo $(cat "$tmp/seq.csv" 2>/dev/null))"

# A cluster: node0's status is mkvm's; every QEMU and temporary file goes away,
# also when the run times out. mkvm's temporary folder is made under $tmp.
check "--nodes 2: node0's exit status 7 is mkvm's" 7 \
	"$(TMPDIR=$tmp status "${mkvm[@]}" --nodes 2 --cpus 2 --mem 1G -- sh -c 'ssh node1 true && exit 7')"
check "--nodes 2: no QEMU process left" "" "$(pgrep -f "$tmp/mkvm" || true)"
TMPDIR=$tmp "${mkvm[@]}" --nodes 2 --cpus 2 --mem 1G --timeout 40 -- sleep 1000 >/dev/null 2>&1
rc=$?
check "--nodes 2: a hung node0 times out with 124" 124 "$rc"
check "--nodes 2: no QEMU process left after the timeout" "" "$(pgrep -f "$tmp/mkvm" || true)"
check "no temporary folder left" "" "$(ls "$tmp" | grep mkvm || true)"
rm -rf "$tmp"

[ "$fails" -eq 0 ]
