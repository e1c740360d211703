package store

import (
	"errors"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/storepath"
)

// HashPartLen is the length of the hash part of a store path's base name
// (160 bits in Nix's base-32).
const HashPartLen = storepath.HashLen

// MaxNameLen is the longest name (after the hash part and '-') Nix
// accepts in a store path.
const MaxNameLen = storepath.MaxNameLen

// SplitPath checks that p is a store path directly below storeDir and
// returns its hash part and name, with the rules of package storepath
// (Nix's: a 32-character hash part in Nix's base-32, '-', and a name of 1
// to 211 characters from [A-Za-z0-9+-._?=] that is not "." or ".." and
// does not start with ".-" or "..-"; Nix 2.26's rule).
// Errors match [ErrBadPath].
func SplitPath(storeDir string, p messages.StorePath) (hashPart, name string, err error) {
	hashPart, name, reason := splitPath(storeDir, string(p))
	if reason != "" {
		return "", "", badPath(string(p), reason)
	}
	return hashPart, name, nil
}

// splitPath is SplitPath with the reason for a refusal as a string ("" if
// s is a store path).
func splitPath(storeDir, s string) (hashPart, name, reason string) {
	sp, err := storepath.Dir(storeDir).Parse(s)
	if err != nil {
		// The path itself is in the PathError already (shortened).
		var se *storepath.Error
		if errors.As(err, &se) {
			return "", "", se.Reason()
		}
		return "", "", err.Error()
	}
	return sp.HashPart(), sp.Name(), ""
}

// IsHashPart reports whether s has the form of a store path's hash part.
func IsHashPart(s string) bool {
	if len(s) != HashPartLen {
		return false
	}
	_, err := storepath.ParseBase(s + "-x")
	return err == nil
}

func badPath(s, reason string) error {
	return &PathError{Op: "parse", Path: short(s), Err: &reasonError{sentinel: ErrBadPath, reason: reason}}
}

// reasonError is a sentinel with a reason: it reads "sentinel: reason"
// and matches the sentinel under errors.Is.
type reasonError struct {
	sentinel error
	reason   string
}

func (e *reasonError) Error() string { return e.sentinel.Error() + ": " + e.reason }
func (e *reasonError) Unwrap() error { return e.sentinel }

// Reason returns an error that reads "sentinel: reason" and matches
// sentinel under errors.Is, for backends that report one of this package's
// sentinels with details.
func Reason(sentinel error, reason string) error {
	return &reasonError{sentinel: sentinel, reason: reason}
}

// short cuts a hostile path to a readable length for an error message.
func short(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
