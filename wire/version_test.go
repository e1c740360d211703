package wire_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

func TestVersion(t *testing.T) {
	tests := []struct {
		major, minor uint8
		wire         uint16
		str          string
	}{
		{0, 0, 0x0000, "0.0"},
		{1, 10, 0x010a, "1.10"},
		{1, 21, 0x0115, "1.21"},
		{1, 34, 0x0122, "1.34"},
		{1, 38, 0x0126, "1.38"},
		{2, 0, 0x0200, "2.0"},
		{255, 255, 0xffff, "255.255"},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			v := wire.V(tt.major, tt.minor)
			if uint16(v) != tt.wire {
				t.Errorf("V(%d, %d) = %#x, want %#x", tt.major, tt.minor, uint16(v), tt.wire)
			}
			if v.Major() != tt.major || v.Minor() != tt.minor {
				t.Errorf("Major, Minor = %d, %d", v.Major(), v.Minor())
			}
			if v.String() != tt.str {
				t.Errorf("String = %q, want %q", v.String(), tt.str)
			}
			p, err := wire.ParseVersion(tt.str)
			if err != nil || p != v {
				t.Errorf("ParseVersion(%q) = %v, %v", tt.str, p, err)
			}
		})
	}
}

func TestVersionOrder(t *testing.T) {
	order := []wire.Version{wire.V(0, 255), wire.V(1, 0), wire.V(1, 9), wire.V(1, 10), wire.V(1, 37), wire.V(1, 38), wire.V(2, 0)}
	for i, a := range order {
		for j, b := range order {
			if (a < b) != (i < j) {
				t.Errorf("%v < %v is %v", a, b, a < b)
			}
			if a.AtLeast(b.Major(), b.Minor()) != (i >= j) {
				t.Errorf("%v.AtLeast(%v) is %v", a, b, a.AtLeast(b.Major(), b.Minor()))
			}
		}
	}
}

func TestParseVersionErrors(t *testing.T) {
	for _, s := range []string{
		"", "1", "1.", ".1", "1.38.0", "1,38", "a.b", "1.x", "256.0", "1.256", "-1.0", "1.-1",
		"+1.2", " 1.2", "1.2 ", "1 .2", "0x1.2", "1.2+f", "١.٢",
	} {
		t.Run(s, func(t *testing.T) {
			v, err := wire.ParseVersion(s)
			if err == nil {
				t.Fatalf("ParseVersion(%q) = %v, want an error", s, v)
			}
			if !strings.HasPrefix(err.Error(), "wire: version ") || !strings.Contains(err.Error(), "want major.minor") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestFeatures(t *testing.T) {
	t.Run("dedupe and sort", func(t *testing.T) {
		f := wire.NewFeatures("b", "a", "c", "a", "b")
		if got := f.Names(); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Errorf("Names = %v", got)
		}
		if f.Len() != 3 || f.String() != "a,b,c" {
			t.Errorf("Len %d, String %q", f.Len(), f.String())
		}
	})
	t.Run("does not keep the caller's slice", func(t *testing.T) {
		names := []string{"b", "a"}
		f := wire.NewFeatures(names...)
		names[0] = "z"
		if !slices.Equal(names, []string{"z", "a"}) || f.String() != "a,b" {
			t.Errorf("names %v, set %q", names, f)
		}
		got := f.Names()
		got[0] = "z"
		if f.String() != "a,b" {
			t.Errorf("Names exposed the set: %q", f)
		}
	})
	t.Run("zero value", func(t *testing.T) {
		var f wire.Features
		if f.Len() != 0 || f.Has("") || f.String() != "" || !f.Equal(wire.NewFeatures()) || len(f.Names()) != 0 {
			t.Errorf("zero Features misbehaves: %q", f)
		}
	})
	a := wire.NewFeatures("realisation-with-path-not-hash", "delete-dead-specific-referrers")
	b := wire.NewFeatures("delete-dead-specific-referrers", "disable-set-options")
	t.Run("Has", func(t *testing.T) {
		if !a.Has("realisation-with-path-not-hash") || !a.Has("delete-dead-specific-referrers") {
			t.Error("missing a member")
		}
		if a.Has("disable-set-options") || a.Has("") || a.Has("realisation") {
			t.Error("has a non-member")
		}
	})
	t.Run("Intersect", func(t *testing.T) {
		got := a.Intersect(b)
		if got.String() != "delete-dead-specific-referrers" || !got.Equal(b.Intersect(a)) {
			t.Errorf("Intersect = %q, reversed %q", got, b.Intersect(a))
		}
		if n := a.Intersect(wire.Features{}); n.Len() != 0 || !n.Equal(wire.Features{}) {
			t.Errorf("Intersect with empty = %q", n)
		}
		if got := a.Intersect(a); !got.Equal(a) {
			t.Errorf("Intersect with itself = %q", got)
		}
	})
	t.Run("SubsetOf", func(t *testing.T) {
		ab := a.Intersect(b)
		tests := []struct {
			x, y wire.Features
			want bool
		}{
			{ab, a, true}, {ab, b, true}, {a, b, false}, {b, a, false}, {a, a, true},
			{wire.Features{}, a, true}, {a, wire.Features{}, false}, {wire.Features{}, wire.Features{}, true},
		}
		for _, tt := range tests {
			if got := tt.x.SubsetOf(tt.y); got != tt.want {
				t.Errorf("{%s}.SubsetOf({%s}) = %v", tt.x, tt.y, got)
			}
		}
	})
	t.Run("Equal", func(t *testing.T) {
		if !wire.NewFeatures("x", "y").Equal(wire.NewFeatures("y", "x", "x")) {
			t.Error("same names in another order are not Equal")
		}
		if wire.NewFeatures("x").Equal(wire.NewFeatures("x", "y")) || wire.NewFeatures("x").Equal(wire.NewFeatures("y")) {
			t.Error("different sets are Equal")
		}
	})
}

func TestProto(t *testing.T) {
	p := wire.P(1, 38, "b", "a")
	if p.Version != wire.V(1, 38) || p.Features.String() != "a,b" {
		t.Fatalf("P = %v", p)
	}
	if !p.AtLeast(1, 38) || !p.AtLeast(1, 0) || p.AtLeast(1, 39) || p.AtLeast(2, 0) {
		t.Error("AtLeast")
	}
	if !p.Has("a") || !p.Has("b") || p.Has("c") {
		t.Error("Has")
	}
}

// TestProtoCovers checks the partial order, as in Nix's partialOrdering
// tests: versions compare, feature sets compare by inclusion, and a pair
// that differs in opposite directions is incomparable.
func TestProtoCovers(t *testing.T) {
	tests := []struct {
		p, q       wire.Proto
		pq, qp     bool // p.Covers(q), q.Covers(p)
		comparable bool
	}{
		{wire.P(1, 38), wire.P(1, 38), true, true, true},
		{wire.P(1, 38), wire.P(1, 37), true, false, true},
		{wire.P(1, 38, "a"), wire.P(1, 38), true, false, true},
		{wire.P(1, 38, "a", "b"), wire.P(1, 38, "b"), true, false, true},
		{wire.P(1, 38, "a"), wire.P(1, 37, "a"), true, false, true},
		{wire.P(1, 38, "a"), wire.P(1, 38, "a"), true, true, true},
		// Incomparable: more features but an older version.
		{wire.P(1, 37, "a"), wire.P(1, 38), false, false, false},
		// Incomparable: disjoint features at the same version.
		{wire.P(1, 38, "a"), wire.P(1, 38, "b"), false, false, false},
		// Incomparable: overlapping but neither a subset.
		{wire.P(1, 38, "a", "b"), wire.P(1, 38, "b", "c"), false, false, false},
		{wire.P(2, 0), wire.P(1, 255), true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.p.String()+" vs "+tt.q.String(), func(t *testing.T) {
			if got := tt.p.Covers(tt.q); got != tt.pq {
				t.Errorf("%v.Covers(%v) = %v", tt.p, tt.q, got)
			}
			if got := tt.q.Covers(tt.p); got != tt.qp {
				t.Errorf("%v.Covers(%v) = %v", tt.q, tt.p, got)
			}
			if got := tt.p.Covers(tt.q) || tt.q.Covers(tt.p); got != tt.comparable {
				t.Errorf("comparable = %v", got)
			}
			if !tt.p.Covers(tt.p) {
				t.Errorf("not reflexive")
			}
		})
	}
}

func TestProtoStringParse(t *testing.T) {
	tests := []struct {
		in, canon string
	}{
		{"1.38", "1.38"},
		{"1.10", "1.10"},
		{"1.38+a", "1.38+a"},
		{"1.38+b,a", "1.38+a,b"},
		{"1.38+a,a,b", "1.38+a,b"},
		{"1.38+realisation-with-path-not-hash,delete-dead-specific-referrers",
			"1.38+delete-dead-specific-referrers,realisation-with-path-not-hash"},
		{"0.0", "0.0"},
		{"255.255+x", "255.255+x"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := wire.ParseProto(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.String() != tt.canon {
				t.Errorf("String = %q, want %q", p.String(), tt.canon)
			}
			q, err := wire.ParseProto(p.String())
			if err != nil || q.Version != p.Version || !q.Features.Equal(p.Features) {
				t.Errorf("round trip: %v, %v", q, err)
			}
		})
	}
	t.Run("no features prints no plus", func(t *testing.T) {
		if s := (wire.Proto{Version: wire.V(1, 35)}).String(); s != "1.35" {
			t.Errorf("%q", s)
		}
	})
	for _, bad := range []string{"", "1", "1.38+", "1.38+a,", "1.38+,a", "1.38+a,,b", "+a", "x.y+a", "1.38.1+a", "1.300"} {
		t.Run("error "+bad, func(t *testing.T) {
			if p, err := wire.ParseProto(bad); err == nil {
				t.Errorf("ParseProto(%q) = %v, want an error", bad, p)
			} else if !strings.HasPrefix(err.Error(), "wire: ") {
				t.Errorf("message %q", err)
			}
		})
	}
}
