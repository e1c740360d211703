package everything_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/gen"
	"github.com/nixwire/nixwire/schema"
)

var update = flag.Bool("update", false, "rewrite the generated files of the everything and base packages")

// generated packages: directory, Go import path, schema path from the module
// root (as written in the generated header).
var generated = []struct{ dir, path, name string }{
	{".", "github.com/nixwire/nixwire/gen/internal/everything", "everything"},
	{"base", "github.com/nixwire/nixwire/gen/internal/everything/base", "base"},
}

// TestEverythingUpToDate regenerates the everything and base packages in
// memory and compares them with the committed files.
func TestEverythingUpToDate(t *testing.T) {
	for _, p := range generated {
		files, err := filepath.Glob(filepath.Join(p.dir, "*.schema"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no schema files in %s: %v", p.dir, err)
		}
		pkg, err := schema.Load(files, schema.LoadConfig{Dir: p.dir, Name: p.name, Path: p.path})
		if err != nil {
			t.Fatalf("schema.Load(%s): %v", p.dir, err)
		}
		cfg := gen.Config{SchemaPaths: map[string]string{}}
		for _, f := range files {
			cfg.SchemaPaths[f] = strings.TrimPrefix(p.path, "github.com/nixwire/nixwire/") + "/" + filepath.Base(f)
		}
		out, err := gen.Generate(pkg, cfg)
		if err != nil {
			t.Fatalf("gen.Generate(%s): %v", p.dir, err)
		}
		for name, src := range out {
			file := filepath.Join(p.dir, name)
			if *update {
				if err := os.WriteFile(file, src, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			old, err := os.ReadFile(file)
			if err != nil {
				t.Errorf("%s: %v (run go test ./gen/internal/everything -run TestEverythingUpToDate -update)", file, err)
				continue
			}
			if !bytes.Equal(old, src) {
				t.Errorf("%s is stale: run go test ./gen/internal/everything -run TestEverythingUpToDate -update\n%s", file, firstDiff(old, src))
			}
		}
	}
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y || i >= len(al) || i >= len(bl) {
			return "line " + strconv.Itoa(i+1) + ":\n  committed: " + x + "\n  generated: " + y
		}
	}
	return ""
}
