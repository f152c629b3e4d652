#!/bin/bash
# SPDX-License-Identifier: MIT
# The man page documents every option `memhotplugfs --help` prints, and formats without warnings.
# Usage: test-manpage.sh DAEMON MANPAGE
set -u
DAEMON=$1
MAN=$2
fails=0 checks=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

help=$("$DAEMON" --help 2>&1) || fail "--help exited with $?"
# the page's text with roff's escaped dashes as plain dashes
text=$(sed 's/\\-/-/g; s/\\(aq/'"'"'/g' "$MAN")
opts=$(
	{
		grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help"
		grep -oE -- '-o [a-z_]+' <<<"$help"
		grep -oE -- '^ +-[a-zA-Z]( |$)' <<<"$help" | tr -d ' '
	} | grep -vxE -- '--name|-o name' | sort -u # "--name=value" is the help's placeholder
)
[ "$(wc -l <<<"$opts")" -ge 30 ] || fail "only $(wc -l <<<"$opts") options found in --help: $opts"
for o in $(sed 's/ /@/' <<<"$opts"); do
	o=${o/@/ }
	checks=$((checks + 1))
	case $o in
	"-o "*) grep -qF -- "$o" <<<"$text" || grep -qF -- "-o ${o#-o }=" <<<"$text" ||
		grep -qE -- "^\.B[IR]? .*-o ${o#-o }" <<<"$text" || fail "$MAN lacks '$o'" ;;
	*) grep -qE -- "(^|[^A-Za-z0-9_-])$o([^A-Za-z0-9_-]|$)" <<<"$text" || fail "$MAN lacks '$o'" ;;
	esac
done
# the sections a man page of a daemon has
for s in NAME SYNOPSIS DESCRIPTION OPTIONS FILES ENVIRONMENT "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	checks=$((checks + 1))
	grep -qx "\.SH \"\?$s\"\?" "$MAN" || fail "$MAN has no section $s"
done
# the version the page names is the daemon's
checks=$((checks + 1))
v=$("$DAEMON" --version 2>&1 | sed -n 's/^memhotplugfs version //p')
grep -q "^\.TH MEMHOTPLUGFS 8 .*\"memhotplugfs $v\"" "$MAN" || fail "the .TH line does not name version $v"
if command -v groff >/dev/null; then
	checks=$((checks + 1))
	w=$(LC_ALL=C.UTF-8 groff -man -ww -z "$MAN" 2>&1)
	[ -z "$w" ] || fail "groff warnings: $w"
else
	echo "SKIP: groff (groff-base) not installed: cannot check the formatting"
	exit 77
fi
if [ "$fails" -ne 0 ]; then
	echo "$fails of $checks checks failed"
	exit 1
fi
echo "all $checks checks passed"
