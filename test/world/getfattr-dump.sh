#!/bin/sh
# Writes every extended attribute of a tree (POSIX ACLs included) to a file, bytes untouched.
# getfattr octal-escapes backslash, newline and carriage return in names; other bytes stay raw.
# Arguments: ROOT, OUTPUT_FILE.
set -eu
exec getfattr -R -h -P -d -m - -e hex --absolute-names -- "$1" > "$2"
