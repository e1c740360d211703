package extend_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/gen"
	"github.com/nixwire/nixwire/schema"
)

// TestGeneratedCodeIsFresh runs the generator in memory, with the
// arguments of the go:generate line in generate.go (go tool nixwire-gen), and compares its
// output with the committed files, so that a schema edited without
// `go generate` fails the tests.
func TestGeneratedCodeIsFresh(t *testing.T) {
	files, err := filepath.Glob("*.schema")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schema files: %v", err)
	}
	start := time.Now()
	// What nixwire-gen -schema . -out . passes: imports resolve from this
	// directory, so from this module's go.mod.
	pkg, err := schema.Load(files, schema.LoadConfig{Dir: ".", Name: "extend", Path: "github.com/nixwire/nixwire/examples/extend"})
	if err != nil {
		t.Fatalf("schema.Load: %v", err)
	}
	loaded := time.Now()
	// The version is the one this module requires (go.mod), as the
	// command reads it from its build information.
	cfg := gen.Config{SchemaPaths: map[string]string{}, Version: "v0.0.0", Command: "nixwire-gen -schema . -out ."}
	for _, f := range files {
		cfg.SchemaPaths[f] = filepath.ToSlash(f)
	}
	out, err := gen.Generate(pkg, cfg)
	if err != nil {
		t.Fatalf("gen.Generate: %v", err)
	}
	t.Logf("loaded in %v, generated in %v", loaded.Sub(start), time.Since(loaded))

	const hint = "run `go generate` in examples/extend and commit the result"
	for name, src := range out {
		old, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%v: %s", err, hint)
			continue
		}
		if !bytes.Equal(old, src) {
			t.Errorf("%s is stale: %s\n%s", name, hint, firstDiff(old, src))
		}
	}
	committed, _ := filepath.Glob("*_gen.go")
	for _, name := range committed {
		if _, ok := out[name]; !ok {
			t.Errorf("%s has no schema file: delete it", name)
		}
	}
}

// firstDiff shows the first line where the committed and the generated
// file differ.
func firstDiff(committed, generated []byte) string {
	a := strings.Split(string(committed), "\n")
	b := strings.Split(string(generated), "\n")
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	line := func(l []string) string {
		if i < len(l) {
			return strconv.Quote(l[i])
		}
		return "(end of file)"
	}
	return "line " + strconv.Itoa(i+1) + ":\n  committed: " + line(a) + "\n  generated: " + line(b)
}
