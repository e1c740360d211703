package storepath

import (
	"crypto/sha256"
	"slices"

	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/nixhash"
)

// Make computes a store path as Nix's makeStorePath does: the SHA-256 of
// "<typ>:<algo>:<base16 digest>:<d>:<name>", folded to 20 bytes by XOR.
// typ is e.g. "text:<ref>…", "source" or "output:out"; the other Make
// functions choose it.
func (d Dir) Make(typ string, h nixhash.Hash, name string) (Path, error) {
	if err := CheckName(name); err != nil {
		return Path{}, err
	}
	if h.IsZero() {
		return Path{}, invalid(name, "no hash to compute the path from")
	}
	s := sha256.New()
	var buf [8 + 2*nixhash.MaxSize]byte
	s.Write([]byte(typ))
	s.Write([]byte{':'})
	s.Write(h.AppendText(buf[:0], nixhash.Base16, true))
	s.Write([]byte{':'})
	s.Write([]byte(d))
	s.Write([]byte{':'})
	s.Write([]byte(name))
	var sum [sha256.Size]byte
	s.Sum(sum[:0])
	p := Path{name: name}
	for i, b := range sum {
		p.digest[i%DigestSize] ^= b
	}
	return p, nil
}

// typeWithRefs returns typ followed by ":<path>" for each reference, in
// Nix's order (sorted, without duplicates), and ":self" if self.
func (d Dir) typeWithRefs(typ string, refs []Path, self bool) string {
	sorted := slices.Clone(refs)
	slices.SortFunc(sorted, Path.Compare)
	sorted = slices.Compact(sorted)
	b := []byte(typ)
	for _, r := range sorted {
		b = d.AppendPath(append(b, ':'), r)
	}
	if self {
		b = append(b, ":self"...)
	}
	return string(b)
}

// Text computes the path of a text object (builtins.toFile, a derivation,
// AddTextToStore) with contents text and the given references.
func (d Dir) Text(name string, text []byte, refs []Path) (Path, error) {
	return d.Make(d.typeWithRefs("text", refs, false), nixhash.Sum(nixhash.SHA256, text), name)
}

// Fixed computes the path of a fixed-output (content-addressed) object:
// the hash h of its contents under method m (Flat: the file's bytes; NAR:
// its NAR), with references and a reference to itself (self), which only
// recursive SHA-256 objects may have, as for `nix-store --add`. For Text
// use Text or FromCA. Git is not supported (ErrInvalid).
func (d Dir) Fixed(name string, m contentaddress.Method, h nixhash.Hash, refs []Path, self bool) (Path, error) {
	switch {
	case m == contentaddress.Text:
		if h.Algorithm() != nixhash.SHA256 || self {
			return Path{}, invalid(name, "a text path needs a sha256 hash and cannot refer to itself")
		}
		return d.Make(d.typeWithRefs("text", refs, false), h, name)
	case m == contentaddress.NAR && h.Algorithm() == nixhash.SHA256:
		// Nix's special case: recursive SHA-256 is a "source" path, the
		// only kind of fixed output that may have references.
		return d.Make(d.typeWithRefs("source", refs, self), h, name)
	case m != contentaddress.Flat && m != contentaddress.NAR:
		return Path{}, invalid(name, "cannot compute the path of content-address method "+m.String())
	case len(refs) > 0 || self:
		return Path{}, invalid(name, "a fixed-output path other than recursive sha256 cannot have references")
	case h.IsZero():
		return Path{}, invalid(name, "no hash to compute the path from")
	}
	var buf [32 + 2*nixhash.MaxSize]byte
	b := append(buf[:0], "fixed:out:"...)
	if m == contentaddress.NAR {
		b = append(b, "r:"...)
	}
	b = append(h.AppendText(b, nixhash.Base16, true), ':')
	return d.Make("output:out", nixhash.Sum(nixhash.SHA256, b), name)
}

// FromCA computes the path of an object with content address ca.
func (d Dir) FromCA(name string, ca contentaddress.ContentAddress, refs []Path, self bool) (Path, error) {
	return d.Fixed(name, ca.Method, ca.Hash, refs, self)
}
