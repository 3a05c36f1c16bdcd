#!/usr/bin/env bash
# Tests of tools/bootstrap, run on the host by tools/check: it never
# installs a kernel, and the node kernels it unpacks build mk.ko.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fails=0
check() { # DESC EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then echo "ok - $1"; else
		echo "not ok - $1"; echo "#   expected: $2"; echo "#   actual:   $3"; fails=$((fails + 1)); fi
}

pkgs=$("$root/tools/bootstrap" --print-packages)
check "--print-packages exits 0" 0 "$?"
check "--print-packages lists qemu-system-x86" yes "$(echo "$pkgs" | grep -qx qemu-system-x86 && echo yes)"
check "--print-packages lists the ssh server the cluster uses" yes "$(echo "$pkgs" | grep -qx dropbear-bin && echo yes)"
check "no linux-image-* package is among them" "" "$(echo "$pkgs" | grep '^linux-image-' || true)"
check "nor a package that pulls one in (linux-headers-*)" "" "$(echo "$pkgs" | grep '^linux-headers-' || true)"
check "one package a line" "" "$(echo "$pkgs" | grep ' ' || true)"
check "a bad option is refused" 2 "$("$root/tools/bootstrap" --bogus >/dev/null 2>&1; echo $?)"

for k in 6.1 6.12; do
	dir=$root/.cache/kernels/$k
	rel=$(cat "$dir/release" 2>/dev/null)
	check "$k: the node kernel is unpacked under .cache" yes "$([ -s "$dir/vmlinuz" ] && echo yes)"
	check "$k: and is not installed on the host" no \
		"$(dpkg-query -W -f='${Status}' "linux-image-$rel" 2>/dev/null | grep -q 'ok installed' && echo yes || echo no)"
	check "$k: no absolute symlink is left in its tree" "" \
		"$(find "$dir/root" -type l -lname '/*' | head -3)"
	check "$k: mk.ko is built against it" "vermagic=$rel" \
		"$(/sbin/modinfo -F vermagic "$root/build/kmod/$k/mk.ko" 2>/dev/null | awk '{ print "vermagic=" $1 }')"
done
[ "$fails" -eq 0 ]
