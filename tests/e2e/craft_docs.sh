#!/usr/bin/env bash
# Every command of `vt106 craft --help`, and every option of each, appears in man/vt106-craft.1
# and in the bash, zsh and fish completions (docs_cover_options.sh checks craft's own options).
set -u
bin=$1
fail=0
man=man/vt106-craft.1
escape() { printf '%s' "$1" | sed 's/-/\\\\-/g'; }
commands=$("$bin" craft --help | awk '/^Subcommands:/{on=1;next} on && NF==0 {on=0} on {print $1}')
[ -n "$commands" ] || { echo "no craft commands found in --help"; exit 1; }
for c in $commands; do
  grep -q -- "$(escape "$c")" "$man" || { echo "$man does not document $c"; fail=1; }
  grep -qw -- "$c" completions/vt106.bash || { echo "bash completion lacks craft $c"; fail=1; }
  grep -q -- "$c\\\\:" completions/_vt106 || { echo "zsh completion lacks craft $c"; fail=1; }
  grep -q -- "-a $c " completions/vt106.fish || { echo "fish completion lacks craft $c"; fail=1; }
  opts=$("$bin" craft "$c" --help | awk '/^Options:/{on=1;next} /^[A-Z]/{on=0} on' |
         grep -oE -- '--[a-z][a-z0-9-]+' | sort -u | grep -v -- '--help')
  for o in $opts; do
    grep -q -- "$(escape "$o")" "$man" || { echo "$man does not document craft $c $o"; fail=1; }
    grep -q -- "$o" completions/vt106.bash || { echo "bash completion lacks craft $c $o"; fail=1; }
    grep -q -- "$o\[" completions/_vt106 || { echo "zsh completion lacks craft $c $o"; fail=1; }
    grep -q -- "-l ${o#--} " completions/vt106.fish || { echo "fish completion lacks craft $c $o"; fail=1; }
  done
done
[ $fail = 0 ] && echo "docs and completions cover every craft command and option:" $commands
exit $fail
