#!/usr/bin/env bash
# `cpack -G DEB` builds a package that lintian passes without an error or a warning (gzip'd man
# pages, copyright, changelog, a wrapped description, dependencies from the shared libraries),
# that dpkg installs, that runs (--version, a decode of a shipped capture) and that dpkg removes
# again. dpkg installs it under a directory of its own (--root)
# whose package database is a copy of this machine's: the dependencies are checked against what
# is really installed here, yet the machine running the tests is left as it was, so the test needs
# no root and cannot race another build's test or package.
set -u
bin=$1
build=$(cd "$(dirname "$bin")" && pwd)
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps file; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (dpkg-dev and file build packages)"; exit 77; }
done
[ -f "$build/CPackConfig.cmake" ] || { echo "no CPackConfig.cmake in $build"; exit 77; }
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg" > "$tmp/cpack.log" 2>&1 ||
  { echo "cpack failed:"; cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/pkg/vt106_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "cpack made no vt106_*.deb:"; cat "$tmp/cpack.log"; exit 1; }

info=$(dpkg-deb --info "$deb")
for want in "Package: vt106" "Section: net" "libpcap0.8" "libfmt"; do
  grep -q "$want" <<< "$info" || { echo "package control lacks '$want':"; echo "$info"; fail=1; }
done
contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/vt106 ./usr/share/man/man1/vt106.1.gz ./usr/share/man/man1/vt106-decode.1.gz \
    ./usr/share/doc/vt106/copyright ./usr/share/doc/vt106/changelog.gz \
    ./usr/share/bash-completion/completions/vt106 ./usr/share/zsh/vendor-completions/_vt106 \
    ./usr/share/fish/vendor_completions.d/vt106.fish; do
  grep -q " $path\$" <<< "$contents" || { echo "the package lacks $path"; fail=1; }
done

# With the Wireshark plugin built (-DVT106_WIRESHARK=ON): its own package, vt106-wireshark, with
# the plugin in Wireshark's plugin folder.
debs=("$deb")
plugin_deb=
if ls "$build"/wireshark/plugins/*/epan/gotop.so >/dev/null 2>&1; then
  plugin_deb=$(ls "$tmp"/pkg/vt106-wireshark_*.deb 2>/dev/null | head -1)
  [ -n "$plugin_deb" ] || { echo "cpack made no vt106-wireshark_*.deb:"; cat "$tmp/cpack.log"; exit 1; }
  debs+=("$plugin_deb")
  plugindir=$(pkg-config --variable=plugindir wireshark 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/wireshark/plugins/4.0)
  dpkg-deb --contents "$plugin_deb" | grep -q " .$plugindir/epan/gotop.so\$" ||
    { echo "vt106-wireshark lacks $plugindir/epan/gotop.so:"; dpkg-deb --contents "$plugin_deb"; fail=1; }
  dpkg-deb --info "$plugin_deb" | grep -q "libwireshark" || { echo "vt106-wireshark does not depend on libwireshark"; fail=1; }
  file -L "$build"/wireshark/plugins/*/epan/gotop.so | grep -q "shared object" || { echo "the plugin is not a shared object"; fail=1; }
fi

# lintian, Debian's package checker: no error and no warning (its informational notes allowed).
if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 "${debs[@]}" > "$tmp/lintian.log" 2>&1
  if grep -qE "^[EW]: " "$tmp/lintian.log"; then
    echo "lintian finds errors or warnings:"; grep -E "^[EW]: " "$tmp/lintian.log"; fail=1
  fi
  lint=clean
else
  echo "note: lintian is not installed (scripts/deps installs it): the package was not checked by it"
  lint=unchecked
fi

root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
cp /var/lib/dpkg/status "$root/var/lib/dpkg/status"
touch "$root/var/lib/dpkg/available"
force=()
[ "$(id -u)" = 0 ] || force=(--force-not-root)
# dpkg warns about every host package whose file list is not in the copy: kept in the log.
dpkg --root="$root" "${force[@]}" -i "$deb" > "$tmp/dpkg.log" 2>&1 ||
  { echo "dpkg -i failed:"; grep -v "files list file for package" "$tmp/dpkg.log"; exit 1; }

if [ -n "$plugin_deb" ]; then
  dpkg --root="$root" "${force[@]}" --force-depends -i "$plugin_deb" >> "$tmp/dpkg.log" 2>&1 ||
    { echo "dpkg -i vt106-wireshark failed:"; grep -v "files list file for package" "$tmp/dpkg.log"; exit 1; }
  [ -f "$root$plugindir/epan/gotop.so" ] || { echo "dpkg did not install $plugindir/epan/gotop.so"; fail=1; }
  dpkg --root="$root" "${force[@]}" -r vt106-wireshark >> "$tmp/dpkg.log" 2>&1 ||
    { echo "dpkg -r vt106-wireshark failed"; exit 1; }
  [ -e "$root$plugindir/epan/gotop.so" ] && { echo "dpkg -r left the plugin"; fail=1; }
fi

installed=$root/usr/bin/vt106
[ "$("$installed" --version)" = "$("$bin" --version)" ] ||
  { echo "installed --version '$("$installed" --version)' differs from '$("$bin" --version)'"; fail=1; }
"$installed" decode captures/tcp-ipv4.pcap > "$tmp/out" 2> "$tmp/err" || { echo "installed decode failed"; cat "$tmp/err"; fail=1; }
cmp -s "$tmp/out" tests/golden/cases/capture-tcp-ipv4.out || { echo "installed decode differs from the golden output"; fail=1; }
"$installed" decode --format gpx captures/tcp-ipv4.pcap | grep -q '<trkpt' || { echo "installed decode --format gpx made no track"; fail=1; }

dpkg --root="$root" "${force[@]}" -r vt106 >> "$tmp/dpkg.log" 2>&1 ||
  { echo "dpkg -r failed:"; grep -v "files list file for package" "$tmp/dpkg.log"; exit 1; }
[ -e "$installed" ] && { echo "dpkg -r left $installed"; fail=1; }
[ -n "$(find "$root/usr" -type f 2>/dev/null)" ] && { echo "dpkg -r left files: $(find "$root/usr" -type f)"; fail=1; }

[ $fail = 0 ] && echo "$(basename "$deb")${plugin_deb:+ and $(basename "$plugin_deb")} build, install and remove cleanly; lintian: $lint"
exit $fail
