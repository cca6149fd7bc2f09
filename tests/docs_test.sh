#!/usr/bin/env bash
# The documentation stands alone: usage  bash tests/docs_test.sh [REPO_ROOT]  (default: the current directory).
# Fails (exit 1, one line per problem) when
#   - a file of the repository refers to a path outside it: the shared parent folder of the development setup
#     or its method notes (the patterns are assembled below so that this script does not match itself);
#   - a relative markdown link in README.md or docs/*.md points to a file or folder that does not exist, or
#     leaves the repository;
#   - LICENSE or CITATION.cff is missing or empty, or CITATION.cff does not cite the paper (arXiv 2305.05126)
#     or is not CFF 1.2.0;
#   - docs/index.md or docs/method.md is missing.
# Files checked: those git tracks plus untracked ones it does not ignore; without git, every file except
# .git/ and build directories.
set -uo pipefail
root=$(cd "${1:-.}" && pwd -P) || { echo "docs test: no directory ${1:-.}" >&2; exit 2; }
cd "$root" || exit 2
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# --- files of the repository ---------------------------------------------------------------------------------
if git -C "$root" rev-parse --is-inside-work-tree > /dev/null 2>&1 &&
   [ "$(git -C "$root" rev-parse --show-toplevel)" = "$root" ]; then
  mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard)
else
  mapfile -d '' files < <(find . -path ./.git -prune -o -path './build*' -prune -o -type f -print0 | sed -z 's|^\./||')
fi

# --- 1. no references outside the repository -----------------------------------------------------------------
outside="\\.\\./"'shared'            # a relative path into the parent's shared folder
notes='METHOD'"\\.md"                 # the development setup's method notes (docs/method.md is the repository's)
while IFS= read -r hit; do
  fail "refers outside the repository: $hit"
done < <(printf '%s\0' "${files[@]}" | xargs -0 -r grep -I -n -s -E -e "$outside" -e "$notes" --)

# --- 2. relative markdown links resolve inside the repository -------------------------------------------------
# Links [text](target "title") and reference definitions [label]: target, outside fenced code blocks and inline
# code spans. Absolute URLs (scheme:), mail links and same-page anchors (#...) are not files and are skipped.
link_targets() {
  awk '
    /^[[:space:]]*(```|~~~)/ { fenced = !fenced; next }
    fenced { next }
    {
      line = $0
      gsub(/`[^`]*`/, "", line)                       # inline code spans
      if (match(line, /^[[:space:]]*\[[^]]+\]:[[:space:]]*[^[:space:]]+/)) {
        def = substr(line, RSTART, RLENGTH); sub(/^[[:space:]]*\[[^]]+\]:[[:space:]]*/, "", def)
        print NR "\t" def
      }
      while (match(line, /\]\([^)[:space:]]+/)) {
        target = substr(line, RSTART + 2, RLENGTH - 2)
        print NR "\t" target
        line = substr(line, RSTART + RLENGTH)
      }
    }' "$1"
}
for doc in README.md docs/*.md; do
  [ -f "$doc" ] || continue
  dir=$(dirname "$doc")
  while IFS=$'\t' read -r line target; do
    target=${target#<}; target=${target%>}
    case "$target" in
      *:*|'#'*) continue ;;                            # URL, mailto:, anchor
    esac
    path=${target%%#*}; path=${path%%\?*}
    [ -n "$path" ] || continue
    resolved=$(realpath -m -- "$dir/$path")
    case "$resolved/" in
      "$root"/*) ;;
      *) fail "$doc:$line: link '$target' leaves the repository"; continue ;;
    esac
    [ -e "$resolved" ] || fail "$doc:$line: link '$target' points to a missing file ($resolved)"
  done < <(link_targets "$doc")
done

# --- 3. licence, citation, the documentation's own pages ------------------------------------------------------
[ -s LICENSE ] || fail "LICENSE is missing or empty"
if [ -s CITATION.cff ]; then
  grep -q '2305\.05126' CITATION.cff || fail "CITATION.cff does not cite the paper (arXiv:2305.05126)"
  grep -Eq '^cff-version:[[:space:]]*"?1\.2\.0"?[[:space:]]*$' CITATION.cff || fail "CITATION.cff: cff-version is not 1.2.0"
  for key in message title version authors license; do
    grep -Eq "^$key:" CITATION.cff || fail "CITATION.cff: no top-level '$key'"
  done
else
  fail "CITATION.cff is missing or empty"
fi
for page in docs/index.md docs/method.md; do
  [ -s "$page" ] || fail "$page is missing or empty"
done

if [ "$failures" -gt 0 ]; then
  echo "docs test: $failures problem(s)" >&2
  exit 1
fi
echo "docs test: OK (${#files[@]} files checked for outside references; README.md and docs/*.md links resolve)"
