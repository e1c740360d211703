package store

import (
	"crypto/sha256"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nixhash"
)

// ParseNarHash reads a SHA-256 NAR hash in any form Nix reads one
// (Hash::parseAny with SHA-256 as the default): base16 without prefix (what
// the worker protocol sends), "sha256:" with base16, nix32 (as the serve
// protocol and narinfo files send) or base64, and SRI ("sha256-…"). The
// parsing is package nixhash's. Errors match [ErrBadHash].
func ParseNarHash(h messages.NarHash) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	parsed, err := nixhash.ParseAny(string(h), nixhash.SHA256)
	if err != nil {
		return sum, Reason(ErrBadHash, err.Error())
	}
	copy(sum[:], parsed.Digest())
	return sum, nil
}

// FormatNarHash returns sum as the worker protocol writes NAR hashes:
// base16 without prefix.
func FormatNarHash(sum [sha256.Size]byte) messages.NarHash {
	h, _ := nixhash.New(nixhash.SHA256, sum[:])
	return messages.NarHash(h.Base16())
}
