package messages

import (
	"errors"
	"strconv"
	"strings"
)

// ErrStorePath is wrapped by every error StorePath.Validate returns.
var ErrStorePath = errors.New("invalid store path")

// Validate reports whether p can be a store path. The store directory is
// configurable (/nix/store is only the default), so the check is limited
// to what holds in every store: p is absolute, names something below a
// directory (it does not end with '/'), and contains no NUL byte, which no
// file name can hold. The hash part and name syntax are not checked: Nix
// rejects a malformed path when it parses it, and a decoder that refused
// what a daemon sent would only hide it from the caller.
//
// Generated code calls Validate after decoding and before encoding every
// StorePath (but not on the none value of an optional<StorePath, empty>).
func (p StorePath) Validate() error {
	s := string(p)
	switch {
	case s == "":
		return &storePathErr{msg: "invalid store path: empty"}
	case s[0] != '/':
		return storePathError(s, "not absolute")
	case s[len(s)-1] == '/':
		return storePathError(s, "ends with '/'")
	case strings.IndexByte(s, 0) >= 0:
		return storePathError(s, "contains a NUL byte")
	}
	return nil
}

// storePathError wraps ErrStorePath with the (shortened) path and reason.
func storePathError(s, reason string) error {
	return &storePathErr{msg: "invalid store path " + quoteShort(s) + ": " + reason}
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	const max = 120
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strconv.Quote(s)
}

type storePathErr struct{ msg string }

func (e *storePathErr) Error() string { return e.msg }
func (e *storePathErr) Unwrap() error { return ErrStorePath }
