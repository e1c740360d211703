package store

import (
	"strings"

	"github.com/nixwire/nixwire/messages"
)

// HashPartLen is the length of the hash part of a store path's base name
// (160 bits in Nix's base-32).
const HashPartLen = 32

// MaxNameLen is the longest name (after the hash part and '-') Nix
// accepts in a store path.
const MaxNameLen = 211

// nix32Alphabet is the alphabet of Nix's base-32 (no e, o, u, t). Only
// membership is checked here; encoding belongs to the nixhash package.
const nix32Alphabet = "0123456789abcdfghijklmnpqrsvwxyz"

// SplitPath checks that p is a store path directly below storeDir and
// returns its hash part and name. It checks the syntax Nix checks when it
// parses a store path: a 32-character hash part in Nix's base-32 alphabet,
// '-', and a name of 1 to 211 characters from [A-Za-z0-9+-._?=] that does
// not start with '.'. Errors match [ErrBadPath].
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
	base, ok := strings.CutPrefix(s, storeDir+"/")
	if !ok {
		return "", "", "not in " + storeDir
	}
	if len(base) < HashPartLen+2 || base[HashPartLen] != '-' {
		return "", "", "no hash part and name"
	}
	hashPart, name = base[:HashPartLen], base[HashPartLen+1:]
	switch {
	case !IsHashPart(hashPart):
		return "", "", "hash part is not in Nix's base-32"
	case len(name) > MaxNameLen:
		return "", "", "name longer than 211 bytes"
	case name[0] == '.':
		return "", "", "name starts with '.'"
	}
	for i := 0; i < len(name); i++ {
		if !nameByte(name[i]) {
			return "", "", "name holds a character Nix forbids"
		}
	}
	return hashPart, name, ""
}

// IsHashPart reports whether s has the form of a store path's hash part.
func IsHashPart(s string) bool {
	if len(s) != HashPartLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(nix32Alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

func nameByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("+-._?=", c) >= 0
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
