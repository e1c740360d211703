package storepath

import "strings"

// Dir is a store directory, an absolute path without a trailing slash such
// as "/nix/store" (DefaultDir). Store paths are computed from it: the same
// contents have different paths in different store directories.
type Dir string

// Parse parses a store path in d, "<d>/<hash part>-<name>". Nothing may
// follow the name (no "/sub/file"). It does not allocate.
func (d Dir) Parse(s string) (Path, error) {
	rest, ok := strings.CutPrefix(s, string(d))
	if !ok || len(rest) == 0 || rest[0] != '/' {
		return Path{}, invalid(s, "not in the store directory "+string(d))
	}
	p, err := ParseBase(rest[1:])
	if err != nil {
		return Path{}, invalid(s, err.(*Error).msg)
	}
	return p, nil
}

// AppendPath appends "<d>/<hash part>-<name>" to dst.
func (d Dir) AppendPath(dst []byte, p Path) []byte {
	return p.AppendBase(append(append(dst, d...), '/'))
}

// String returns p in d, "<d>/<hash part>-<name>".
func (d Dir) String(p Path) string {
	return string(d.AppendPath(make([]byte, 0, len(d)+1+HashLen+1+len(p.name)), p))
}
