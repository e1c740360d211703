package nixhash

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
)

// Hash is a digest with its algorithm. It is a comparable value (usable as
// a map key, compared with ==); the zero Hash has no algorithm and is what
// IsZero reports.
type Hash struct {
	algo   Algorithm
	digest [MaxSize]byte
}

// New returns the Hash of algorithm a with the given digest, which must be
// a.Size() bytes long.
func New(a Algorithm, digest []byte) (Hash, error) {
	if !a.Valid() {
		return Hash{}, &Error{Input: a.String(), Err: ErrAlgorithm, msg: "unknown hash algorithm"}
	}
	if len(digest) != a.Size() {
		return Hash{}, encodingError(hex.EncodeToString(digest), "digest of "+itoa(len(digest))+" bytes, "+a.String()+" has "+itoa(a.Size()))
	}
	var h Hash
	h.algo = a
	copy(h.digest[:], digest)
	return h, nil
}

// Sum returns the Hash of data under algorithm a (the zero Hash for an
// invalid a).
func Sum(a Algorithm, data []byte) Hash {
	hh := a.New()
	if hh == nil {
		return Hash{}
	}
	hh.Write(data)
	var h Hash
	h.algo = a
	hh.Sum(h.digest[:0])
	return h
}

// Algorithm returns h's algorithm.
func (h Hash) Algorithm() Algorithm { return h.algo }

// IsZero reports whether h is the zero Hash (no algorithm).
func (h Hash) IsZero() bool { return h.algo == 0 }

// Digest returns a copy of h's digest.
func (h Hash) Digest() []byte { return append([]byte(nil), h.digest[:h.algo.Size()]...) }

// AppendDigest appends h's digest to dst.
func (h Hash) AppendDigest(dst []byte) []byte { return append(dst, h.digest[:h.algo.Size()]...) }

// Encoding is one of the textual encodings of a digest.
type Encoding uint8

// The encodings.
const (
	// Base16 is lower-case hexadecimal.
	Base16 Encoding = iota + 1
	// Nix32 is Nix's base-32.
	Nix32
	// Base64 is standard base64 with padding.
	Base64
)

// String returns "base16", "nix32" or "base64".
func (e Encoding) String() string {
	switch e {
	case Base16:
		return "base16"
	case Nix32:
		return "nix32"
	case Base64:
		return "base64"
	}
	return "Encoding(?)"
}

// EncodedLen returns the length of a digest of n bytes in encoding e.
func (e Encoding) EncodedLen(n int) int {
	switch e {
	case Base16:
		return 2 * n
	case Nix32:
		return Nix32EncodedLen(n)
	case Base64:
		return base64.StdEncoding.EncodedLen(n)
	}
	return 0
}

// AppendText appends h's digest in encoding e to dst, preceded by the
// algorithm and ':' if prefixed. It allocates only when dst is too small.
func (h Hash) AppendText(dst []byte, e Encoding, prefixed bool) []byte {
	if prefixed {
		dst = append(append(dst, h.algo.String()...), ':')
	}
	d := h.digest[:h.algo.Size()]
	l := len(dst)
	dst = grow(dst, e.EncodedLen(len(d)))
	switch e {
	case Base16:
		hex.Encode(dst[l:], d)
	case Nix32:
		EncodeNix32(dst[l:], d)
	case Base64:
		base64.StdEncoding.Encode(dst[l:], d)
	}
	return dst
}

// AppendSRI appends h in SRI form, "sha256-<base64>", to dst.
func (h Hash) AppendSRI(dst []byte) []byte {
	dst = append(append(dst, h.algo.String()...), '-')
	return h.AppendText(dst, Base64, false)
}

// Text returns h's digest in encoding e, prefixed with "<algo>:" if asked.
func (h Hash) Text(e Encoding, prefixed bool) string {
	var buf [8 + 2*MaxSize]byte
	return string(h.AppendText(buf[:0], e, prefixed))
}

// String returns "<algo>:<nix32>", the form Nix prints in content
// addresses, narinfo files, signature fingerprints and the serve protocol.
func (h Hash) String() string { return h.Text(Nix32, true) }

// Base16 returns the bare lower-case hexadecimal digest, the form of the
// worker protocol's NarHash and of `nix-hash --to-base16`.
func (h Hash) Base16() string { return h.Text(Base16, false) }

// Nix32 returns the bare nix32 digest, as `nix-hash --to-base32` prints.
func (h Hash) Nix32() string { return h.Text(Nix32, false) }

// Base64 returns the bare base64 digest.
func (h Hash) Base64() string { return h.Text(Base64, false) }

// SRI returns "<algo>-<base64>", what `nix hash file` and `nix hash path`
// print.
func (h Hash) SRI() string {
	var buf [8 + 2*MaxSize]byte
	return string(h.AppendSRI(buf[:0]))
}

// MarshalText implements encoding.TextMarshaler with String's form.
func (h Hash) MarshalText() ([]byte, error) {
	if h.IsZero() {
		return nil, &Error{Err: ErrAlgorithm, msg: "zero Hash"}
	}
	return h.AppendText(nil, Nix32, true), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with Parse.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
