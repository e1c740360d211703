package everything_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

// ownOff reports whether none of the fields a derived struct adds can be
// on the wire at p, and none of its new layouts is selected: there the
// derived struct must encode exactly as its base.
func ownOff(s *schema.Struct, p wire.Proto) bool {
	for _, l := range s.Derived.NewLayouts {
		if l.Gate.Holds(p) {
			return false
		}
	}
	for _, f := range s.Derived.Own {
		if f.Gate.Holds(p) {
			return false
		}
	}
	if b := s.Derived.Base; b.Derived != nil {
		return ownOff(b, p)
	}
	return true
}

// TestDerivedEncodesAsBase fills every derived struct with random values
// (added fields included) and checks, at every protocol of protos where
// its additions are off the wire, that its encoding is byte for byte its
// base's, that the base's decoder reads it whole and gives the base value
// back, and that a derived value made from a base value converts back to
// that base value unchanged.
func TestDerivedEncodesAsBase(t *testing.T) {
	checked := 0
	for _, d := range model(t).Decls {
		s, ok := d.(*schema.Struct)
		if !ok || s.Derived == nil {
			continue
		}
		for _, p := range protos {
			for seed := range uint64(4) {
				m := populated(t, s, p, seed, false)
				base := wire.BaseOf(m)
				if base == nil {
					t.Fatalf("%s has no base", s.Name)
				}
				enc := encode(t, m, p)
				if !ownOff(s, p) {
					continue
				}
				checked++
				want := encode(t, base, p)
				if !bytes.Equal(enc, want) {
					t.Errorf("%s at %v: encodes as\n%x\nits base as\n%x", s.Name, p, enc, want)
				}
				back := reflect.New(reflect.TypeOf(base).Elem()).Interface().(wire.Message)
				if err := wire.Unmarshal(enc, back, p); err != nil {
					t.Errorf("%s at %v: the base does not decode the derived bytes: %v", s.Name, p, err)
				}

				// base → derived → base.
				derived := reflect.New(reflect.TypeOf(m).Elem())
				inner := reflect.ValueOf(derived.Interface().(wire.Message).(wire.Derived).WireBase()).Elem()
				inner.Set(reflect.ValueOf(base).Elem())
				if diff := cmp.Diff(base, derived.Interface().(wire.Derived).WireBase(), cmpOpts...); diff != "" {
					t.Errorf("%s: base → derived → base changed the value (-base +after):\n%s", s.Name, diff)
				}
				if got := encode(t, derived.Interface().(wire.Message), p); !bytes.Equal(got, want) {
					t.Errorf("%s at %v: a derived value made from a base value encodes as %x, want %x", s.Name, p, got, want)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no derived struct checked")
	}
}
