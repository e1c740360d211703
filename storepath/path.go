package storepath

import (
	"cmp"
	"errors"
	"strconv"
	"strings"

	"github.com/nixwire/nixwire/nixhash"
)

// Sizes of a store path's parts.
const (
	// DigestSize is the length of a store path's digest in bytes.
	DigestSize = 20
	// HashLen is the length of the digest in nix32, the hash part.
	HashLen = 32
	// MaxNameLen is the longest name Nix accepts.
	MaxNameLen = 211
)

// DefaultDir is Nix's default store directory.
const DefaultDir Dir = "/nix/store"

// ErrInvalid is matched by every error about a malformed store path or
// name.
var ErrInvalid = errors.New("storepath: invalid store path")

// Path is a store path without its store directory: a digest and a name.
// It is comparable; the zero Path (IsZero) is no path.
type Path struct {
	digest [DigestSize]byte
	name   string
}

// New returns the Path with the given digest and name, after checking the
// name (CheckName).
func New(digest [DigestSize]byte, name string) (Path, error) {
	if err := CheckName(name); err != nil {
		return Path{}, err
	}
	return Path{digest: digest, name: name}, nil
}

// Parse parses a store path in DefaultDir, e.g.
// "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo". It does not allocate.
func Parse(s string) (Path, error) { return DefaultDir.Parse(s) }

// ParseBase parses the base name of a store path, "<hash part>-<name>". It
// does not allocate.
func ParseBase(s string) (Path, error) {
	if len(s) < HashLen+2 || s[HashLen] != '-' {
		return Path{}, invalid(s, "not of the form <32-character hash>-<name>")
	}
	var p Path
	if !nixhash.DecodeNix32(p.digest[:], s[:HashLen]) {
		return Path{}, invalid(s, "hash part is not nix32")
	}
	p.name = s[HashLen+1:]
	if msg := checkName(p.name); msg != "" {
		return Path{}, invalid(s, msg)
	}
	return p, nil
}

// CheckName reports whether name can be a store path's name: 1 to 211
// characters, letters, digits and "+-._?=", and (as Nix 2.26 checks) not
// ".", "..", nor starting with ".-" or "..-". The error matches ErrInvalid.
func CheckName(name string) error {
	if msg := checkName(name); msg != "" {
		return &Error{Input: name, msg: "name: " + msg}
	}
	return nil
}

func checkName(name string) string {
	switch {
	case name == "":
		return "empty name"
	case len(name) > MaxNameLen:
		return "name longer than " + strconv.Itoa(MaxNameLen) + " characters"
	case name == "." || name == "..":
		return "name " + strconv.Quote(name) + " is not valid"
	case strings.HasPrefix(name, ".-") || strings.HasPrefix(name, "..-"):
		return "name's first dash-separated component must not be \".\" or \"..\""
	}
	for i := 0; i < len(name); i++ {
		if !nameChar[name[i]] {
			return "name has the invalid character " + strconv.QuoteRune(rune(name[i]))
		}
	}
	return ""
}

// nameChar are the bytes allowed in names.
var nameChar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "+-._?=" {
		t[c] = true
	}
	return t
}()

// IsZero reports whether p is the zero Path.
func (p Path) IsZero() bool { return p.name == "" }

// Digest returns p's digest.
func (p Path) Digest() [DigestSize]byte { return p.digest }

// Name returns p's name, e.g. "hello-2.12".
func (p Path) Name() string { return p.name }

// HashPart returns the nix32 digest, the 32 characters before the name.
func (p Path) HashPart() string {
	var b [HashLen]byte
	return string(nixhash.EncodeNix32(b[:], p.digest[:]))
}

// AppendBase appends "<hash part>-<name>" to dst.
func (p Path) AppendBase(dst []byte) []byte {
	dst = nixhash.AppendNix32(dst, p.digest[:])
	return append(append(dst, '-'), p.name...)
}

// Base returns "<hash part>-<name>"; "" for the zero Path.
func (p Path) Base() string {
	if p.IsZero() {
		return ""
	}
	return string(p.AppendBase(make([]byte, 0, HashLen+1+len(p.name))))
}

// String returns the path in DefaultDir.
func (p Path) String() string { return DefaultDir.String(p) }

// Compare orders paths as Nix's sets of store paths do (by base name),
// returning -1, 0 or +1. The hash part is the digest as a little-endian
// number written in nix32 from its most significant digit, with an
// alphabet in ASCII order, so comparing digests from their last byte
// orders them as their hash parts, without encoding them.
func (p Path) Compare(q Path) int {
	for i := len(p.digest) - 1; i >= 0; i-- {
		if c := cmp.Compare(p.digest[i], q.digest[i]); c != 0 {
			return c
		}
	}
	return strings.Compare(p.name, q.name)
}

// Error is a malformed store path or name.
type Error struct {
	// Input is the text that was checked.
	Input string
	msg   string
}

// Error returns the input and what is wrong with it.
func (e *Error) Error() string {
	in := e.Input
	if len(in) > 300 {
		in = in[:300] + "…"
	}
	return "storepath: " + strconv.Quote(in) + ": " + e.msg
}

// Reason says what is wrong, without the input: for callers that report
// the input themselves.
func (e *Error) Reason() string { return e.msg }

// Is makes an *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func invalid(s, msg string) error { return &Error{Input: s, msg: msg} }
