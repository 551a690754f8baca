#!/usr/bin/env bash
# Every option that `vt106 SUB --help` lists appears in the man page and in the bash, zsh and
# fish completions; man pages render without warnings; the bash completion really completes.
set -u
bin=$1
fail=0
subs=$("$bin" --help | awk '/^Subcommands:/{on=1;next} on && NF==0 {on=0} on {print $1}')
[ -n "$subs" ] || { echo "no subcommands found in --help"; exit 1; }
for sub in $subs; do
  man=man/vt106-$sub.1
  [ -f "$man" ] || { echo "missing $man"; fail=1; continue; }
  opts=$("$bin" "$sub" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u | grep -v -- '--help')
  for o in $opts; do
    grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$man" || { echo "$man does not document $o"; fail=1; }
    grep -q -- "$o" completions/vt106.bash || { echo "bash completion lacks $sub $o"; fail=1; }
    # zsh: '--opt[help]' or the brace form {-o,--opt}'[help]'
    grep -q -e "$o\[" -e "$o}'\[" completions/_vt106 || { echo "zsh completion lacks $sub $o"; fail=1; }
    grep -q -- "-l ${o#--} " completions/vt106.fish || { echo "fish completion lacks $sub $o"; fail=1; }
  done
  grep -q "$sub" completions/vt106.bash || { echo "bash completion lacks $sub"; fail=1; }
  "$bin" "$sub" --help | grep -q '^Examples:' || { echo "vt106 $sub --help has no examples"; fail=1; }
  [ "$("$bin" help "$sub")" = "$("$bin" "$sub" --help)" ] || { echo "vt106 help $sub is not vt106 $sub --help"; fail=1; }
done
"$bin" --help | grep -q '^Examples:' || { echo "vt106 --help has no examples"; fail=1; }
[ "$("$bin" help)" = "$("$bin" --help)" ] || { echo "vt106 help is not vt106 --help"; fail=1; }
"$bin" help no-such-subcommand 2>/dev/null; [ $? = 2 ] || { echo "vt106 help no-such-subcommand did not exit 2"; fail=1; }
# --version names the revision the binary was built from.
if rev=$(git rev-parse --short HEAD 2>/dev/null); then
  "$bin" --version | grep -q "^vt106 [0-9.]* $rev" || { echo "vt106 --version is '$("$bin" --version)', HEAD is $rev"; fail=1; }
fi
got=$(bash -c 'source completions/vt106.bash; COMP_WORDS=(vt106 help cr); COMP_CWORD=2; _vt106; echo "${COMPREPLY[*]}"')
[ "$got" = craft ] || { echo "bash completion of 'vt106 help cr' gave '$got'"; fail=1; }
for m in man/*.1; do
  out=$(groff -man -ww -z "$m" 2>&1) || { echo "groff failed on $m"; fail=1; }
  [ -z "$out" ] || { echo "groff warnings for $m: $out"; fail=1; }
done
# The bash completion offers the subcommands and a subcommand's options.
got=$(bash -c 'source completions/vt106.bash; COMP_WORDS=(vt106 dec); COMP_CWORD=1; _vt106; echo "${COMPREPLY[*]}"')
[ "$got" = decode ] || { echo "bash completion of 'vt106 dec' gave '$got'"; fail=1; }
got=$(bash -c 'source completions/vt106.bash; COMP_WORDS=(vt106 decode --input-f); COMP_CWORD=2; _vt106; echo "${COMPREPLY[*]}"')
[ "$got" = --input-format ] || { echo "bash completion of 'vt106 decode --input-f' gave '$got'"; fail=1; }
got=$(bash -c 'source completions/vt106.bash; COMP_WORDS=(vt106 decode --format g); COMP_CWORD=3; _vt106; echo "${COMPREPLY[*]}"')
[ "$got" = "geojson gpx" ] || { echo "bash completion of 'vt106 decode --format g' gave '$got'"; fail=1; }
if command -v zsh >/dev/null; then zsh -n completions/_vt106 || fail=1; fi
if command -v fish >/dev/null; then fish -n completions/vt106.fish || fail=1; fi
[ $fail = 0 ] && echo "docs cover every option of: $subs"
exit $fail
