package wire

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Version is a protocol version number as it travels on the wire:
// major<<8 | minor. Versions compare with the ordinary operators.
type Version uint16

// V returns the version major.minor.
func V(major, minor uint8) Version { return Version(major)<<8 | Version(minor) }

// Major returns the major part of v.
func (v Version) Major() uint8 { return uint8(v >> 8) }

// Minor returns the minor part of v.
func (v Version) Minor() uint8 { return uint8(v) }

// AtLeast reports whether v is at least major.minor.
func (v Version) AtLeast(major, minor uint8) bool { return v >= V(major, minor) }

// String formats v as "major.minor", e.g. "1.38".
func (v Version) String() string {
	return strconv.Itoa(int(v.Major())) + "." + strconv.Itoa(int(v.Minor()))
}

// ParseVersion parses "major.minor" (decimal, each 0–255), e.g. "1.38".
func ParseVersion(s string) (Version, error) {
	maj, min, ok := strings.Cut(s, ".")
	if !ok {
		return 0, errors.New("wire: version " + strconv.Quote(s) + ": want major.minor")
	}
	a, err1 := strconv.ParseUint(maj, 10, 8)
	b, err2 := strconv.ParseUint(min, 10, 8)
	if err1 != nil || err2 != nil {
		return 0, errors.New("wire: version " + strconv.Quote(s) + ": want major.minor with numbers 0-255")
	}
	return V(uint8(a), uint8(b)), nil
}

// Features is an immutable set of negotiated feature names. The zero value
// is the empty set. Sets are kept sorted, so two sets with the same names
// have the same String.
type Features struct {
	names []string // sorted, unique
}

// NewFeatures returns the set of the given names (duplicates are dropped).
func NewFeatures(names ...string) Features {
	if len(names) == 0 {
		return Features{}
	}
	s := slices.Clone(names)
	slices.Sort(s)
	return Features{names: slices.Compact(s)}
}

// Has reports whether name is in the set.
func (f Features) Has(name string) bool {
	for _, n := range f.names { // sets are tiny: a scan beats a search
		if n == name {
			return true
		}
	}
	return false
}

// Len returns the number of features in the set.
func (f Features) Len() int { return len(f.names) }

// Names returns the names in sorted order, in a new slice.
func (f Features) Names() []string { return slices.Clone(f.names) }

// Intersect returns the features present in both f and g: the set both
// sides of a connection keep after the feature exchange.
func (f Features) Intersect(g Features) Features {
	var out []string
	for _, n := range f.names {
		if g.Has(n) {
			out = append(out, n)
		}
	}
	return Features{names: out}
}

// SubsetOf reports whether every feature of f is in g.
func (f Features) SubsetOf(g Features) bool {
	for _, n := range f.names {
		if !g.Has(n) {
			return false
		}
	}
	return true
}

// Equal reports whether f and g hold the same names.
func (f Features) Equal(g Features) bool { return slices.Equal(f.names, g.names) }

// String formats the set as comma-separated names, e.g. "a,b".
func (f Features) String() string { return strings.Join(f.names, ",") }

// Proto is what a connection negotiated: a version number and a set of
// features. Generated code gates fields on both. Protos are partially
// ordered, as in Nix: p covers q when p's version is at least q's and p has
// every feature q has.
type Proto struct {
	Version  Version
	Features Features
}

// P returns the Proto of version major.minor with the given features.
func P(major, minor uint8, features ...string) Proto {
	return Proto{Version: V(major, minor), Features: NewFeatures(features...)}
}

// AtLeast reports whether p's version is at least major.minor.
func (p Proto) AtLeast(major, minor uint8) bool { return p.Version >= V(major, minor) }

// Has reports whether feature was negotiated.
func (p Proto) Has(feature string) bool { return p.Features.Has(feature) }

// Covers reports whether p is at least q in the partial order of protocol
// versions: a version at least q's and a superset of q's features.
func (p Proto) Covers(q Proto) bool {
	return p.Version >= q.Version && q.Features.SubsetOf(p.Features)
}

// String formats p as "1.38" or, with features, "1.38+a,b".
func (p Proto) String() string {
	if p.Features.Len() == 0 {
		return p.Version.String()
	}
	return p.Version.String() + "+" + p.Features.String()
}

// ParseProto parses the String form of a Proto: "1.38" or "1.38+a,b".
func ParseProto(s string) (Proto, error) {
	vs, fs, hasFeatures := strings.Cut(s, "+")
	v, err := ParseVersion(vs)
	if err != nil {
		return Proto{}, err
	}
	p := Proto{Version: v}
	if hasFeatures {
		names := strings.Split(fs, ",")
		if slices.Contains(names, "") {
			return Proto{}, errors.New("wire: protocol " + strconv.Quote(s) + ": empty feature name")
		}
		p.Features = NewFeatures(names...)
	}
	return p, nil
}
