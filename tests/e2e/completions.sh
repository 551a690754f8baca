#!/usr/bin/env bash
# The shell completions complete what each option takes, read from `vt106 SUB --help`: after an
# option whose value is a file (FILE), file names (directories with a slash, names with spaces
# whole); after an option with a list of values ({a,b,c}), exactly those values; after --event,
# every event name. bash really runs the completion function; fish answers `complete -C`; zsh
# has each file option bound to _files and each list spelt out.
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$work/dir one" && touch "$work/dir one/day 1.pcap" "$work/trace.pcap"
events=$(sed -n "s/.*(the events: \(.*\))/\1/p" <("$bin" decode --event nope 2>&1) | tr -d ',')
[ -n "$events" ] || fail "could not read the event names from vt106's own error message"

# bash: the words typed, the completion function's answer (one per line).
bash_complete() {
  (cd "$work" && bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vt106; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$here/completions/vt106.bash" "$@")
}
fish_complete() { (cd "$work" && fish -c "source '$here/completions/vt106.fish'; complete -C '$*'" | cut -f1); }

files=0 lists=0
for sub in decode capture detect doctor replay listen craft; do
  while IFS= read -r line; do
    opt=$(sed -E 's/^ *(-[a-zA-Z],)?(--[a-z-]+).*/\2/' <<<"$line")
    if grep -qE -- "--[a-z-]+ [A-Z=|]*FILE" <<<"$line"; then
      files=$((files + 1))
      got=$(bash_complete vt106 "$sub" "$opt" "")
      grep -qx "trace.pcap" <<<"$got" || fail "bash: vt106 $sub $opt <TAB> does not offer files: $got"
      grep -qx "dir one" <<<"$got" || fail "bash: vt106 $sub $opt <TAB> breaks a name with a space: $got"
      got=$(bash_complete vt106 "$sub" "$opt" "dir")
      [ "$got" = "dir one" ] || fail "bash: vt106 $sub $opt dir<TAB> gave '$got'"
      grep -q -- "${opt}.*_files" "$here/completions/_vt106" || fail "zsh: $sub $opt is not bound to _files"
      if command -v fish >/dev/null; then
        got=$(fish_complete vt106 "$sub" "$opt" "tr")
        grep -qx "trace.pcap" <<<"$got" || fail "fish: vt106 $sub $opt tr<TAB> gave '$got'"
      fi
    fi
    set_=$(sed -n 's/.*:{\([^}]*\)}.*/\1/p' <<<"$line")
    if [ -n "$set_" ]; then
      lists=$((lists + 1))
      want=$(tr ',' '\n' <<<"$set_" | sort)
      got=$(bash_complete vt106 "$sub" "$opt" "" | sort)
      [ "$got" = "$want" ] || fail "bash: vt106 $sub $opt <TAB> gave '$(echo $got)', expected '$(echo $want)'"
      for v in $(tr ',' ' ' <<<"$set_"); do
        grep -q -- "$opt.*$v" "$here/completions/_vt106" || fail "zsh: $sub $opt lacks the value $v"
      done
      if command -v fish >/dev/null; then
        got=$(fish_complete vt106 "$sub" "$opt" "" | sort)
        [ "$got" = "$want" ] || fail "fish: vt106 $sub $opt <TAB> gave '$(echo $got)', expected '$(echo $want)'"
      fi
    fi
  done < <("$bin" "$sub" --help 2>/dev/null | grep -E "^ +-")
done
[ "$files" -ge 3 ] || fail "only $files file options found in the help texts"
[ "$lists" -ge 8 ] || fail "only $lists options with a list of values found in the help texts"

# --event: every event name, in every subcommand that filters.
for sub in decode capture listen; do
  got=$(bash_complete vt106 "$sub" --event "" | sort)
  [ "$got" = "$(tr ' ' '\n' <<<"$events" | sort)" ] || fail "bash: vt106 $sub --event <TAB> gave '$(echo $got)'"
  if command -v fish >/dev/null; then
    got=$(fish_complete vt106 "$sub" --event "" | sort)
    [ "$got" = "$(tr ' ' '\n' <<<"$events" | sort)" ] || fail "fish: vt106 $sub --event <TAB> gave '$(echo $got)'"
  fi
done
for e in $events; do grep -q "$e" <(sed -n '/_vt106_events=(/,/)/p' "$here/completions/_vt106") || fail "zsh: event $e missing"; done
# Input files of the subcommands that read them.
for sub in decode doctor replay detect; do
  got=$(bash_complete vt106 "$sub" "")
  grep -qx "trace.pcap" <<<"$got" || fail "bash: vt106 $sub <TAB> does not offer input files: $got"
done
echo "completions: $files file options and $lists value lists from the help texts, --event in 3 subcommands, in bash$(command -v fish >/dev/null && echo ", fish") and zsh"
