package nixhash

import (
	"encoding/base64"
	"strings"
)

// Parse parses a hash that names its algorithm, in any form Nix accepts
// there (Nix's Hash::parseAnyPrefixed): "<algo>:<digest>" with the digest in
// base16, nix32 or base64 (told apart by length), or SRI "<algo>-<base64>".
// Errors match ErrAlgorithm or ErrEncoding.
func Parse(s string) (Hash, error) { return ParseAny(s, 0) }

// ParseAny parses a hash as Nix's Hash::parseAny does: like Parse, but the
// algorithm may also come from the context (a non-zero a), in which case
// the prefix may be left out and a bare base16, nix32 or base64 digest of
// algorithm a is accepted; a prefix naming another algorithm is an error.
func ParseAny(s string, a Algorithm) (Hash, error) {
	rest, sri := s, false
	var named Algorithm
	prefix, after, ok := strings.Cut(s, ":")
	if !ok {
		prefix, after, ok = strings.Cut(s, "-")
		sri = ok
	}
	if ok {
		p, err := ParseAlgorithm(prefix)
		if err != nil {
			return Hash{}, &Error{Input: s, Err: ErrAlgorithm, msg: "unknown hash algorithm " + quote(prefix)}
		}
		named, rest = p, after
	}
	switch {
	case named == 0 && a == 0:
		return Hash{}, &Error{Input: s, Err: ErrAlgorithm, msg: "hash names no algorithm and none is known from context"}
	case named != 0 && a != 0 && named != a:
		return Hash{}, &Error{Input: s, Err: ErrAlgorithm, msg: "hash should be " + a.String()}
	case named == 0:
		named = a
	}
	return decode(s, rest, named, sri)
}

// ParseBare parses a digest of algorithm a without prefix, in base16, nix32
// or base64 (Nix's Hash::parseNonSRIUnprefixed): the worker protocol's
// NarHash, or the digest part of a content address.
func ParseBare(s string, a Algorithm) (Hash, error) {
	if !a.Valid() {
		return Hash{}, &Error{Input: s, Err: ErrAlgorithm, msg: "unknown hash algorithm"}
	}
	return decode(s, s, a, false)
}

// ParseSRI parses an SRI hash, "<algo>-<base64>".
func ParseSRI(s string) (Hash, error) {
	prefix, rest, ok := strings.Cut(s, "-")
	if !ok {
		return Hash{}, encodingError(s, "not an SRI hash (no '-')")
	}
	a, err := ParseAlgorithm(prefix)
	if err != nil {
		return Hash{}, &Error{Input: s, Err: ErrAlgorithm, msg: "unknown hash algorithm " + quote(prefix)}
	}
	return decode(s, rest, a, true)
}

// decode decodes the digest text rest of algorithm a; the encoding follows
// from its length (base64 only for SRI). input is the whole text, for
// errors.
func decode(input, rest string, a Algorithm, sri bool) (Hash, error) {
	h := Hash{algo: a}
	size := a.Size()
	d := h.digest[:size]
	switch n := len(rest); {
	case !sri && n == 2*size:
		if !decodeHex(d, rest) {
			return Hash{}, encodingError(input, "invalid base16 digest")
		}
	case !sri && n == Nix32EncodedLen(size):
		if !DecodeNix32(d, rest) {
			return Hash{}, encodingError(input, "invalid nix32 digest")
		}
	case sri || n == base64.StdEncoding.EncodedLen(size):
		// As Nix's base64Decode: padding optional, nothing read past
		// the first '='.
		var buf [base64Max]byte
		m, ok := decodeBase64(buf[:], rest)
		if !ok || m != size {
			return Hash{}, encodingError(input, "invalid base64 digest for "+a.String())
		}
		copy(d, buf[:m])
	default:
		return Hash{}, encodingError(input, "digest of "+itoa(n)+" characters fits no encoding of "+a.String())
	}
	return h, nil
}

// decodeHex decodes base16 text, upper or lower case as Nix accepts, into
// dst (len(s) == 2*len(dst)) without allocating.
func decodeHex(dst []byte, s string) bool {
	for i := range dst {
		hi, ok1 := hexDigit(s[2*i])
		lo, ok2 := hexDigit(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// base64Max bounds the decoded length of a base64 digest text: anything
// longer cannot be a digest and is refused by Decode's length check.
const base64Max = MaxSize + 3

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + s + `"`
}
