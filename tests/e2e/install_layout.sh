#!/usr/bin/env bash
# `cmake --install` puts the binary, every man page (gzip'd) and the three shell completions where
# man, bash-completion, zsh and fish look for them, and the copyright and changelog under
# share/doc/vt106, under /usr (packages) and under /usr/local.
set -u
bin=$1
build=$(cd "$(dirname "$bin")" && pwd)
command -v cmake >/dev/null || exit 77
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() {  # check PREFIX ZSH_DIR
  local prefix=$1 zsh_dir=$2
  cmake --install "$build" --prefix "$prefix" > "$tmp/install.log" 2>&1 || { echo "install failed:"; cat "$tmp/install.log"; fail=1; return; }
  for path in bin/vt106 share/bash-completion/completions/vt106 "share/zsh/$zsh_dir/_vt106" \
      share/fish/vendor_completions.d/vt106.fish; do
    [ -f "$prefix/$path" ] || { echo "no $prefix/$path"; fail=1; }
  done
  for page in man/*.1; do
    local gz=$prefix/share/man/man1/$(basename "$page").gz
    [ -f "$gz" ] || { echo "no man page $(basename "$page").gz under $prefix"; fail=1; continue; }
    gzip -dc "$gz" | cmp -s - "$page" || { echo "$gz is not $page gzip'd"; fail=1; }
  done
  for doc in share/doc/vt106/copyright share/doc/vt106/changelog.gz; do
    [ -f "$prefix/$doc" ] || { echo "no $prefix/$doc"; fail=1; }
  done
  "$prefix/bin/vt106" --version > /dev/null || { echo "$prefix/bin/vt106 does not run"; fail=1; }
}
check "$tmp/usr" vendor-completions
check "$tmp/local" site-functions
[ $fail = 0 ] && echo "installs under /usr and /usr/local in the places man and the shells read"
exit $fail
