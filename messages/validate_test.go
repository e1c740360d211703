package messages

import (
	"errors"
	"strings"
	"testing"
)

// TestStorePathValidate checks what Validate accepts and refuses, the
// reason each refusal gives, and that its common path stays free of
// allocations (generated code calls it on every path it encodes or
// decodes).
func TestStorePathValidate(t *testing.T) {
	for _, p := range []StorePath{
		"/nix/store/a9w5kc6zljxzb2mqqj1fnjnq0l0xmbf4-hello-2.12.1",
		"/s/x",     // any store directory
		"/nix/a$b", // name syntax is Nix's (and storepath.Parse's) to check
	} {
		if err := p.Validate(); err != nil {
			t.Errorf("Validate(%q) = %v, want nil", p, err)
		}
	}
	for p, reason := range map[StorePath]string{
		"":                                  "empty",
		"nix/store/abc-x":                   "not absolute",
		"abc-x":                             "not absolute",
		"/":                                 "root directory",
		"/nix/store/":                       "ends with '/'",
		StorePath(strings.Repeat("x", 500)): "…",
	} {
		err := p.Validate()
		if !errors.Is(err, ErrStorePath) || !strings.Contains(err.Error(), reason) {
			t.Errorf("Validate(%.20q) = %v, want ErrStorePath saying %q", p, err, reason)
		}
	}
	p := StorePath("/nix/store/a9w5kc6zljxzb2mqqj1fnjnq0l0xmbf4-hello-2.12.1")
	if n := testing.AllocsPerRun(100, func() { _ = p.Validate() }); n != 0 {
		t.Errorf("Validate allocates %v times, want 0", n)
	}
}
