package store

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/nixwire/nixwire/messages"
)

// ParseNarHash reads a SHA-256 NAR hash in the forms the worker protocol
// and narinfo files use without Nix's base-32: base16 without prefix (what
// the worker protocol sends), "sha256:" followed by base16, and SRI
// ("sha256-" followed by base64). Errors match [ErrBadHash].
//
// Nix's base-32 ("sha256:1b8m…", as the serve protocol sends) is not read
// here: the server converts it with the nixhash package first.
func ParseNarHash(h messages.NarHash) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	s := string(h)
	if rest, ok := strings.CutPrefix(s, "sha256-"); ok {
		b, err := base64.StdEncoding.DecodeString(rest)
		if err != nil || len(b) != sha256.Size {
			return sum, Reason(ErrBadHash, "SRI hash is not 32 bytes of base64")
		}
		copy(sum[:], b)
		return sum, nil
	}
	s = strings.TrimPrefix(s, "sha256:")
	if len(s) != 2*sha256.Size {
		return sum, Reason(ErrBadHash, "not a base16 SHA-256 ("+strconv.Itoa(len(s))+" characters)")
	}
	if _, err := hex.Decode(sum[:], []byte(s)); err != nil {
		return sum, Reason(ErrBadHash, "not base16")
	}
	return sum, nil
}

// FormatNarHash returns sum as the worker protocol writes NAR hashes:
// base16 without prefix.
func FormatNarHash(sum [sha256.Size]byte) messages.NarHash {
	return messages.NarHash(hex.EncodeToString(sum[:]))
}
