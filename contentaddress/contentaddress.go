// Package contentaddress is Nix's content addresses: how a store object's
// path follows from its contents, as the "ca" field of path info, narinfo
// files and the protocols carries it ("text:sha256:<nix32>",
// "fixed:sha1:<nix32>", "fixed:r:sha256:<nix32>", "fixed:git:sha1:<nix32>"),
// and the method-with-algorithm form AddToStore sends ("text:sha256",
// "fixed:r:sha256", …).
//
// It is the one parser and printer of these strings in nixwire: the
// messages package carries them as plain strings (messages.ContentAddress,
// messages.ContentAddressMethod), and code that needs their parts converts
// with Parse and ParseMethod. Computing the store path of a content address
// is package storepath's job.
package contentaddress

import (
	"errors"
	"strconv"
	"strings"

	"github.com/nixwire/nixwire/nixhash"
)

// ErrInvalid is matched by every error of Parse and ParseMethod.
var ErrInvalid = errors.New("contentaddress: invalid content address")

// Method is how contents are hashed into a content address.
type Method uint8

// The methods.
const (
	// Text: a flat file hashed with SHA-256 that may refer to other store
	// paths (derivations, builtins.toFile). Prefix "text:".
	Text Method = iota + 1
	// Flat: a regular file hashed as its plain contents. Prefix "fixed:".
	Flat
	// NAR: any file system object hashed as its NAR ("recursive"). Prefix
	// "fixed:r:".
	NAR
	// Git: hashed as a Git object (Nix ≥ 2.20, experimental). Prefix
	// "fixed:git:".
	Git
)

// String returns the method's name as Nix's JSON uses it: "text", "flat",
// "nar" or "git".
func (m Method) String() string {
	switch m {
	case Text:
		return "text"
	case Flat:
		return "flat"
	case NAR:
		return "nar"
	case Git:
		return "git"
	}
	return "Method(" + strconv.Itoa(int(m)) + ")"
}

// Prefix returns what precedes the algorithm in the textual forms:
// "text:", "fixed:", "fixed:r:" or "fixed:git:" ("" for an invalid m).
func (m Method) Prefix() string {
	switch m {
	case Text:
		return "text:"
	case Flat:
		return "fixed:"
	case NAR:
		return "fixed:r:"
	case Git:
		return "fixed:git:"
	}
	return ""
}

// ContentAddress is a method and the hash of the contents under it.
type ContentAddress struct {
	Method Method       // how the contents were hashed: text, flat, NAR (recursive) or git
	Hash   nixhash.Hash // the hash of the contents under Method
}

// IsZero reports whether ca is the zero value (no content address).
func (ca ContentAddress) IsZero() bool { return ca.Method == 0 && ca.Hash.IsZero() }

// String returns the form Nix prints: the method's prefix and the hash as
// "<algo>:<nix32>", e.g. "fixed:r:sha256:1lr1…". The zero value gives "",
// which is how the protocols write "no content address".
func (ca ContentAddress) String() string {
	if ca.IsZero() {
		return ""
	}
	return ca.Method.Prefix() + ca.Hash.String()
}

// Parse parses a content address as Nix does: a method prefix, an
// algorithm, ':' and the digest in base16, nix32 or base64. Text content
// addresses must use SHA-256. The empty string is an error: callers of
// optional fields check for it first.
func Parse(s string) (ContentAddress, error) {
	m, a, rest, err := parsePrefix(s, true)
	if err != nil {
		return ContentAddress{}, err
	}
	h, err := nixhash.ParseBare(rest, a)
	if err != nil {
		return ContentAddress{}, invalid(s, err.Error())
	}
	return ContentAddress{Method: m, Hash: h}, nil
}

// ParseMethod parses a method with its algorithm, the ContentAddressMethod
// of AddToStore: "text:sha256", "fixed:sha1", "fixed:r:sha256",
// "fixed:git:sha1".
func ParseMethod(s string) (Method, nixhash.Algorithm, error) {
	m, a, _, err := parsePrefix(s, false)
	return m, a, err
}

// FormatMethod returns the textual form of m with a, as ParseMethod reads
// it, e.g. "fixed:r:sha256".
func FormatMethod(m Method, a nixhash.Algorithm) string { return m.Prefix() + a.String() }

// parsePrefix reads "<method prefix><algo>" and, if withHash, the ':' after
// it; rest is what follows.
func parsePrefix(s string, withHash bool) (m Method, a nixhash.Algorithm, rest string, err error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, "", invalid(s, "not of the form <prefix>:<rest>")
	}
	switch kind {
	case "text":
		m = Text
	case "fixed":
		m = Flat
		if r, ok := strings.CutPrefix(rest, "r:"); ok {
			m, rest = NAR, r
		} else if r, ok := strings.CutPrefix(rest, "git:"); ok {
			m, rest = Git, r
		}
	default:
		return 0, 0, "", invalid(s, "unknown prefix "+strconv.Quote(kind)+" (want text or fixed)")
	}
	algo := rest
	if withHash {
		algo, rest, ok = strings.Cut(rest, ":")
		if !ok {
			return 0, 0, "", invalid(s, "hash not of the form <algo>:<hash>")
		}
	}
	a, err = nixhash.ParseAlgorithm(algo)
	if err != nil {
		return 0, 0, "", invalid(s, "unknown hash algorithm "+strconv.Quote(algo))
	}
	if m == Text && a != nixhash.SHA256 {
		return 0, 0, "", invalid(s, "text content addresses use sha256, not "+a.String())
	}
	return m, a, rest, nil
}

// Error is a string that is not a content address.
type Error struct {
	// Input is the text parsed.
	Input string
	msg   string
}

// Error returns the input and what is wrong with it.
func (e *Error) Error() string {
	in := e.Input
	if len(in) > 160 {
		in = in[:160] + "…"
	}
	return "contentaddress: " + strconv.Quote(in) + ": " + e.msg
}

// Is makes an *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func invalid(s, msg string) error { return &Error{Input: s, msg: msg} }
