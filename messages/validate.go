package messages

import (
	"errors"
	"strconv"
)

// ErrStorePath is wrapped by every error StorePath.Validate returns.
var ErrStorePath = errors.New("invalid store path")

// Validate reports whether p has the shape of a store path: it is
// absolute and names something below a directory (it is longer than "/"
// and does not end with '/'). The store directory is configurable
// (/nix/store is only the default), so the store directory, the hash part
// and the name's characters (which rule out '/', NUL, '$' and the like)
// are not checked: Nix rejects a malformed path when it parses it, a
// decoder that refused what a daemon sent would only hide it from the
// caller, and storepath.Parse checks all of it where a caller needs that.
//
// Generated code calls Validate after decoding and before encoding every
// StorePath (but not on the none value of an optional<StorePath, empty>),
// so it is O(1) and inlines: it catches the mistakes Go code makes (an
// empty path, a base name without its store directory, a directory) with
// three byte comparisons, where a scan of every path's bytes would almost
// double the cost of encoding a message made of paths.
func (p StorePath) Validate() error {
	if len(p) < 2 || p[0] != '/' || p[len(p)-1] == '/' {
		return &storePathErr{path: string(p)}
	}
	return nil
}

// storePathErr is the error of Validate: it keeps the path, and says what
// is wrong with it only when asked.
type storePathErr struct{ path string }

func (e *storePathErr) Error() string {
	s := e.path
	switch {
	case s == "":
		return "invalid store path: empty"
	case s[0] != '/':
		return "invalid store path " + quoteShort(s) + ": not absolute"
	case s == "/":
		return "invalid store path \"/\": the root directory"
	}
	return "invalid store path " + quoteShort(s) + ": ends with '/'"
}

func (e *storePathErr) Unwrap() error { return ErrStorePath }

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	const max = 120
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strconv.Quote(s)
}
