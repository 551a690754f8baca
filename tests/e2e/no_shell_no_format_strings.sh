#!/usr/bin/env bash
# No shell or other program is ever started from lib/ or cli/, and user text is never a format
# string: fails on system/popen/exec*/posix_spawn/fork/wordexp, on fmt::runtime/vformat/vprint,
# and on a printf-family call whose format is not a string literal. The checker first proves it
# catches each of those in a planted sample, so that it cannot pass by matching nothing.
set -u
cd "$(dirname "$0")/../.."
check() {  # check FILE... : prints every offending call, exits 1 if there is one
  python3 - "$@" <<'EOF'
import re, sys

SPAWN = re.compile(r"\b(system|popen|execl|execle|execlp|execv|execve|execvp|execvpe|fexecve|posix_spawnp?|fork|vfork|wordexp)\s*\(")
FMT_RUNTIME = re.compile(r"\bfmt::(runtime|vformat|vprint|vformat_to)\s*\(")
# printf family: how many arguments come before the format, which must be a literal ("..." or R"(...)").
PRINTF = {"printf": 0, "vprintf": 0, "fprintf": 1, "vfprintf": 1, "dprintf": 1, "vdprintf": 1,
          "sprintf": 1, "vsprintf": 1, "snprintf": 2, "vsnprintf": 2, "syslog": 1}
CALL = re.compile(r"(?<![\w.>:])(?:std::)?(" + "|".join(PRINTF) + r")\s*\(")

def code_only(text):
    # Blanks comments and the contents of string and character literals, keeping the quotes.
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i); j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2); j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i-1].isalnum() or text[i-1] == "_")):
            d = text.find("(", i); delim = text[i+2:d]
            j = text.find(")" + delim + '"', d); j = n if j < 0 else j + len(delim) + 2
            out.append('"' + re.sub(r"[^\n]", " ", text[i+1:j-1]) + '"'); i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + c); i = j + 1
        else:
            out.append(c); i += 1
    return "".join(out)

def args_before_literal(code, start, skip):
    # True when the argument after `skip` top-level commas begins with a string literal.
    depth, i, commas = 0, start, 0
    while i < len(code):
        c = code[i]
        if c in "([{": depth += 1
        elif c in ")]}":
            if depth == 0: return False
            depth -= 1
        elif c == "," and depth == 0:
            commas += 1
        elif commas == skip and not c.isspace():
            return c == '"' or code.startswith('R"', i)
        i += 1
    return False

bad = 0
for path in sys.argv[1:]:
    code = code_only(open(path, encoding="utf-8").read())
    line = lambda pos: code.count("\n", 0, pos) + 1
    for m in SPAWN.finditer(code):
        print(f"{path}:{line(m.start())}: starts a program: {m.group(1)}()"); bad = 1
    for m in FMT_RUNTIME.finditer(code):
        print(f"{path}:{line(m.start())}: format string chosen at run time: fmt::{m.group(1)}()"); bad = 1
    for m in CALL.finditer(code):
        if not args_before_literal(code, m.end(), PRINTF[m.group(1)]):
            print(f"{path}:{line(m.start())}: {m.group(1)}() with a format that is not a literal"); bad = 1
sys.exit(bad)
EOF
}

planted=$(mktemp -d)
trap 'rm -rf "$planted"' EXIT
printf '%s\n' 'void f(const char* s) { system(s); }' >"$planted/a.cpp"
printf '%s\n' 'void f(const char* s) { std::fprintf(stderr,' '  s); }' >"$planted/b.cpp"
printf '%s\n' 'auto f(std::string s) { return fmt::format(fmt::runtime(s), 1); }' >"$planted/c.cpp"
printf '%s\n' 'void f(char* b, const char* s) { snprintf(b, 8, s); }' >"$planted/d.cpp"
printf '%s\n' '// system(x) in a comment, "popen(" in a string' 'void f() { std::printf("%d", 1); }' >"$planted/e.cpp"
fail=0
for f in a b c d; do
  check "$planted/$f.cpp" >/dev/null && { echo "the checker missed the call planted in $f.cpp"; fail=1; }
done
check "$planted/e.cpp" || { echo "the checker flagged a comment, a string or a literal format"; fail=1; }

mapfile -t sources < <(find lib cli -name '*.cpp' -o -name '*.hpp' -o -name '*.in' | sort)
[ ${#sources[@]} -gt 0 ] || { echo "no sources found under lib/ and cli/"; exit 1; }
check "${sources[@]}" || fail=1
exit $fail
