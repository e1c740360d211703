package messages

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/wire"
)

func TestDerivedPathFormatAndParse(t *testing.T) {
	const (
		foo = "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo"
		drv = "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-bar.drv"
	)
	old, modern := wire.P(1, 29), wire.P(1, 30)
	// The values of Nix's derived-path-1.29.bin and derived-path-1.30.bin.
	for _, tt := range []struct {
		desc  string
		p     wire.Proto
		parts DerivedPathParts
		wire  DerivedPath
	}{
		{"1.29 opaque", old, DerivedPathParts{Path: foo}, foo},
		{"1.29 all outputs", old, DerivedPathParts{Path: drv, Built: true}, drv},
		{"1.29 some outputs", old, DerivedPathParts{Path: drv, Built: true, Outputs: []string{"x", "y"}}, drv + "!x,y"},
		{"1.30 opaque", modern, DerivedPathParts{Path: foo}, foo},
		{"1.30 opaque drv", modern, DerivedPathParts{Path: drv}, drv},
		{"1.30 all outputs", modern, DerivedPathParts{Path: drv, Built: true}, drv + "!*"},
		{"1.30 some outputs", modern, DerivedPathParts{Path: drv, Built: true, Outputs: []string{"x", "y"}}, drv + "!x,y"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := tt.parts.Format(tt.p)
			if err != nil || got != tt.wire {
				t.Errorf("Format = %q, %v; want %q", got, err, tt.wire)
			}
			parts, err := ParseDerivedPath(tt.wire, tt.p)
			if err != nil {
				t.Fatalf("ParseDerivedPath: %v", err)
			}
			if diff := cmp.Diff(tt.parts, parts); diff != "" {
				t.Errorf("ParseDerivedPath (-want +got):\n%s", diff)
			}
		})
	}
	for _, tt := range []struct {
		desc  string
		p     wire.Proto
		parts DerivedPathParts
	}{
		{"opaque drv before 1.30", old, DerivedPathParts{Path: drv}},
		{"bad output", modern, DerivedPathParts{Path: drv, Built: true, Outputs: []string{"a,b"}}},
		{"star as an output", modern, DerivedPathParts{Path: drv, Built: true, Outputs: []string{"*"}}},
		{"bang in the path", modern, DerivedPathParts{Path: "/nix/store/a!b"}},
	} {
		if _, err := tt.parts.Format(tt.p); !errors.Is(err, ErrDerivedPath) {
			t.Errorf("%s: Format error = %v, want ErrDerivedPath", tt.desc, err)
		}
	}
	for _, s := range []DerivedPath{drv + "!", drv + "!a,,b", drv + "!*"} {
		if _, err := ParseDerivedPath(s, old); !errors.Is(err, ErrDerivedPath) {
			t.Errorf("ParseDerivedPath(%q) at 1.29: error = %v, want ErrDerivedPath", s, err)
		}
	}
	if _, err := ParseDerivedPath("relative!out", modern); !errors.Is(err, ErrStorePath) {
		t.Errorf("ParseDerivedPath of a relative path: %v, want ErrStorePath", err)
	}
}
