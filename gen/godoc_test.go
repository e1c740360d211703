package gen

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/schema"
)

// The Go docs of the everything package (every construct of the schema
// language) carry no filler ("Key is a Key on the wire."), say "before"
// where the schema says until, state limits and what encoding does where
// a gated field is not on the wire, and keep hexadecimal constants hex.
func TestGoDocs(t *testing.T) {
	dir := filepath.Join("internal", "everything")
	files, err := filepath.Glob(filepath.Join(dir, "*.schema"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schema files: %v", err)
	}
	pkg, err := schema.Load(files, schema.LoadConfig{Dir: dir, Name: "everything", Path: "github.com/nixwire/nixwire/gen/internal/everything"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(pkg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	src := string(out["everything_gen.go"])
	filler := regexp.MustCompile(`(?m)^\s*// \w+ is an? [\w<>, ().]+ on the wire\.$`)
	if m := filler.FindString(src); m != "" {
		t.Errorf("filler doc: %q", m)
	}
	docUntil := regexp.MustCompile(`(?m)^\s*// .*On the wire only .*until`)
	if m := docUntil.FindString(src); m != "" {
		t.Errorf("doc says until: %q", m)
	}
	for _, want := range []string{
		"On the wire only before ",                            // until, in prose
		"and encoding fails (wire.ErrVersion) if it holds",    // what encode does out of range
		"At most 10 bytes",                                    // a limit
		"On the wire, Magic is the constant 0x6e697863 (u64)", // a const field, hex
		"b = wire.AppendUint64(b, 0x6e697863)",                // hex in code
		"wire.MismatchHex(v0, 0x6e697863)",                    // and in errors
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the generated docs lack %q", want)
		}
	}
}
