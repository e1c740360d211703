package nixhash

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// Algorithm is a hash algorithm Nix knows. The zero value is no algorithm.
type Algorithm uint8

// The algorithms, with Nix's names.
const (
	// MD5 ("md5") is still parsed by Nix for old fixed-output derivations.
	MD5 Algorithm = iota + 1
	// SHA1 ("sha1").
	SHA1
	// SHA256 ("sha256"): NAR hashes, store paths, text content addresses.
	SHA256
	// SHA512 ("sha512").
	SHA512
)

// MaxSize is the longest digest of any Algorithm (SHA-512), in bytes.
const MaxSize = sha512.Size

// algorithms lists every valid Algorithm, for iteration in tests and
// parsing.
var algorithms = [...]Algorithm{MD5, SHA1, SHA256, SHA512}

// Algorithms returns every algorithm, in the order of their constants.
func Algorithms() []Algorithm { return append([]Algorithm(nil), algorithms[:]...) }

// String returns Nix's name of a: "md5", "sha1", "sha256" or "sha512".
func (a Algorithm) String() string {
	switch a {
	case MD5:
		return "md5"
	case SHA1:
		return "sha1"
	case SHA256:
		return "sha256"
	case SHA512:
		return "sha512"
	}
	return "Algorithm(?)"
}

// Valid reports whether a is one of the four algorithms.
func (a Algorithm) Valid() bool { return a >= MD5 && a <= SHA512 }

// Size returns the length of a's digests in bytes, 0 for an invalid a.
func (a Algorithm) Size() int {
	switch a {
	case MD5:
		return md5.Size
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	case SHA512:
		return sha512.Size
	}
	return 0
}

// New returns a new hash.Hash computing a, or nil for an invalid a.
func (a Algorithm) New() hash.Hash {
	switch a {
	case MD5:
		return md5.New()
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	case SHA512:
		return sha512.New()
	}
	return nil
}

// ParseAlgorithm returns the algorithm Nix calls name ("sha256", …). The
// error matches ErrAlgorithm.
func ParseAlgorithm(name string) (Algorithm, error) {
	switch name {
	case "md5":
		return MD5, nil
	case "sha1":
		return SHA1, nil
	case "sha256":
		return SHA256, nil
	case "sha512":
		return SHA512, nil
	}
	return 0, &Error{Input: name, Err: ErrAlgorithm, msg: "unknown hash algorithm"}
}
