// Package signature is Nix's store path signatures: the fingerprint Nix
// signs for a path ("1;<path>;<narHash>;<narSize>;<refs>"), ed25519 keys in
// Nix's "<name>:<base64>" form (as `nix-store --generate-binary-cache-key`
// writes them), and signatures "<key name>:<base64>" as path info and
// narinfo files carry them.
package signature

import (
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/storepath"
)

// ErrInvalid is matched by the errors about malformed keys, signatures and
// fingerprint inputs.
var ErrInvalid = errors.New("signature: invalid")

// PublicKey is a named ed25519 public key, "<name>:<base64 of 32 bytes>"
// (trusted-public-keys).
type PublicKey struct {
	Name string            // the key's name, e.g. "cache.nixos.org-1"
	Key  ed25519.PublicKey // 32 bytes
}

// SecretKey is a named ed25519 private key, "<name>:<base64 of 64 bytes>"
// (secret-key-files).
type SecretKey struct {
	Name string             // the key's name, e.g. "cache.example.org-1"
	Key  ed25519.PrivateKey // 64 bytes: the seed and the public key
}

// Signature is a signature by the key called KeyName.
type Signature struct {
	KeyName string // the name of the key that signed
	Sig     []byte // 64 bytes of ed25519 signature
}

// GenerateKey makes a new key pair called name from rand (crypto/rand's
// Reader if nil), like `nix-store --generate-binary-cache-key name`.
func GenerateKey(name string, rand io.Reader) (SecretKey, error) {
	if err := checkKeyName(name, name); err != nil {
		return SecretKey{}, err
	}
	_, sk, err := ed25519.GenerateKey(rand)
	if err != nil {
		return SecretKey{}, err
	}
	return SecretKey{Name: name, Key: sk}, nil
}

// ParseSecretKey parses "<name>:<base64>", the contents of a file written by
// `nix-store --generate-binary-cache-key` (surrounding white space is
// ignored). The key's public half is checked against its seed.
func ParseSecretKey(s string) (SecretKey, error) {
	name, key, err := split(s, ed25519.PrivateKeySize, "secret key")
	if err != nil {
		return SecretKey{}, err
	}
	sk := ed25519.PrivateKey(key)
	if !ed25519.NewKeyFromSeed(sk.Seed()).Equal(sk) {
		return SecretKey{}, invalid(strings.TrimSpace(name), "secret key's public half does not match its seed")
	}
	return SecretKey{Name: name, Key: sk}, nil
}

// ParsePublicKey parses "<name>:<base64>" (surrounding white space is
// ignored).
func ParsePublicKey(s string) (PublicKey, error) {
	name, key, err := split(s, ed25519.PublicKeySize, "public key")
	if err != nil {
		return PublicKey{}, err
	}
	return PublicKey{Name: name, Key: ed25519.PublicKey(key)}, nil
}

// ParseSignature parses "<key name>:<base64 of 64 bytes>".
func ParseSignature(s string) (Signature, error) {
	name, sig, err := split(s, ed25519.SignatureSize, "signature")
	if err != nil {
		return Signature{}, err
	}
	return Signature{KeyName: name, Sig: sig}, nil
}

// split parses "<name>:<base64 of size bytes>".
func split(s string, size int, what string) (string, []byte, error) {
	t := strings.TrimSpace(s)
	name, b64, ok := strings.Cut(t, ":")
	if size == ed25519.PrivateKeySize {
		t = name // never quote secret key material in an error
		if !ok {
			t = "(secret key)"
		}
	}
	if !ok {
		return "", nil, invalid(t, what+" not of the form <name>:<base64>")
	}
	if err := checkKeyName(t, name); err != nil {
		return "", nil, err
	}
	b, err := nixhash.DecodeBase64(b64) // as Nix: padding optional
	if err != nil || len(b) != size {
		return "", nil, invalid(t, what+" is not base64 of "+strconv.Itoa(size)+" bytes")
	}
	return name, b, nil
}

func checkKeyName(input, name string) error {
	if name == "" {
		return invalid(input, "empty key name")
	}
	if strings.ContainsAny(name, ": \t\r\n") {
		return invalid(input, "key name contains ':' or white space")
	}
	return nil
}

// Public returns k's public key.
func (k SecretKey) Public() PublicKey {
	return PublicKey{Name: k.Name, Key: k.Key.Public().(ed25519.PublicKey)}
}

// String returns "<name>:<base64>", the form ParseSecretKey reads.
func (k SecretKey) String() string { return k.Name + ":" + base64.StdEncoding.EncodeToString(k.Key) }

// String returns "<name>:<base64>", the form ParsePublicKey reads.
func (k PublicKey) String() string { return k.Name + ":" + base64.StdEncoding.EncodeToString(k.Key) }

// String returns "<key name>:<base64>", the form Nix stores.
func (s Signature) String() string { return s.KeyName + ":" + base64.StdEncoding.EncodeToString(s.Sig) }

// Sign signs a fingerprint (see Fingerprint).
func (k SecretKey) Sign(fingerprint []byte) Signature {
	return Signature{KeyName: k.Name, Sig: ed25519.Sign(k.Key, fingerprint)}
}

// Verify reports whether sig is k's valid signature of fingerprint: the
// key names must be equal and the signature valid.
func (k PublicKey) Verify(fingerprint []byte, sig Signature) bool {
	if len(k.Key) != ed25519.PublicKeySize || subtle.ConstantTimeCompare([]byte(k.Name), []byte(sig.KeyName)) != 1 {
		return false
	}
	return ed25519.Verify(k.Key, fingerprint, sig.Sig)
}

// Count returns how many of sigs (in their textual form; malformed ones
// are ignored, as Nix ignores them) are valid signatures of fingerprint
// by one of keys, counting each key at most once. Nix trusts a path with
// at least one.
func Count(keys []PublicKey, fingerprint []byte, sigs []string) int {
	used := make([]bool, len(keys))
	n := 0
	for _, s := range sigs {
		sig, err := ParseSignature(s)
		if err != nil {
			continue
		}
		for i, k := range keys {
			if !used[i] && k.Verify(fingerprint, sig) {
				used[i] = true
				n++
				break
			}
		}
	}
	return n
}

// Fingerprint returns what Nix signs for a store path:
// "1;<path>;sha256:<nix32 narHash>;<narSize>;<refs>", the references as
// full paths, sorted and joined by ','. The NAR hash must be SHA-256 and
// the size known (not 0), as Nix requires.
func Fingerprint(dir storepath.Dir, path storepath.Path, narHash nixhash.Hash, narSize uint64, refs []storepath.Path) ([]byte, error) {
	if narHash.Algorithm() != nixhash.SHA256 {
		return nil, invalid(dir.String(path), "fingerprint needs a sha256 NAR hash, not "+narHash.Algorithm().String())
	}
	if path.IsZero() {
		return nil, invalid("", "fingerprint of no store path")
	}
	if narSize == 0 {
		// As Nix: a size of 0 means "unknown", and no NAR is that short.
		return nil, invalid(dir.String(path), "fingerprint needs the NAR size")
	}
	sorted := slices.Clone(refs)
	slices.SortFunc(sorted, storepath.Path.Compare)
	sorted = slices.Compact(sorted)
	b := append([]byte("1;"), dir...)
	b = append(path.AppendBase(append(b, '/')), ';')
	b = append(narHash.AppendText(b, nixhash.Nix32, true), ';')
	b = append(strconv.AppendUint(b, narSize, 10), ';')
	for i, r := range sorted {
		if i > 0 {
			b = append(b, ',')
		}
		b = dir.AppendPath(b, r)
	}
	return b, nil
}

// Error is a malformed key, signature or fingerprint input.
type Error struct {
	// Input is the text checked; for secret keys only the name.
	Input string
	msg   string
}

// Error returns the input and what is wrong.
func (e *Error) Error() string { return "signature: " + strconv.Quote(e.Input) + ": " + e.msg }

// Is makes an *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func invalid(s, msg string) error { return &Error{Input: s, msg: msg} }
