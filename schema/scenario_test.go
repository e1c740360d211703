package schema

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected errors and dumps of testdata/*.txtar")

// mapResolver resolves import paths from a fixed table (path → directory,
// relative to the working directory), for tests that need no go command.
type mapResolver map[string]string

func (m mapResolver) resolve(paths []string) map[string]resolved {
	out := map[string]resolved{}
	for _, p := range paths {
		if dir, ok := m[p]; ok {
			out[p] = resolved{dir: absPath(dir)}
		} else {
			out[p] = resolved{err: errors.New("no module provides it")}
		}
	}
	return out
}

func (m mapResolver) packagePath(string) string { return "" }

// TestScenarios loads each testdata/*.txtar archive: its top-level .schema
// files are the package (read through the overlay, named as in the
// archive), files in subdirectories are packages to import, and the
// optional "imports" file maps import paths to those directories. The
// "errors" file holds the expected diagnostics, one per line; "ok" marks
// success and holds the dump of the checked package. With -update, the
// expected sections are rewritten from the results.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, section := runScenario(t, ar)
			i := slices.IndexFunc(ar.Files, func(f txtar.File) bool { return f.Name == "errors" || f.Name == "ok" })
			if *update {
				out := txtar.File{Name: section, Data: []byte(got)}
				if i >= 0 {
					ar.Files[i] = out
				} else {
					ar.Files = append(ar.Files, out)
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
					t.Fatal(err)
				}
				return
			}
			if i < 0 {
				t.Fatalf("no errors or ok section; got %s:\n%s", section, got)
			}
			if ar.Files[i].Name != section || string(ar.Files[i].Data) != got {
				t.Errorf("got %s:\n%s\nwant %s:\n%s", section, got, ar.Files[i].Name, ar.Files[i].Data)
			}
		})
	}
}

// runScenario loads the package of an archive and returns the result and
// the name of the section it belongs in.
func runScenario(t *testing.T, ar *txtar.Archive) (got, section string) {
	overlay := map[string][]byte{}
	res := mapResolver{}
	var roots []string
	for _, f := range ar.Files {
		switch {
		case f.Name == "imports":
			for line := range strings.Lines(string(f.Data)) {
				if path, dir, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
					res[path] = dir
				}
			}
		case strings.HasSuffix(f.Name, ".schema"):
			overlay[f.Name] = f.Data
			if !strings.Contains(f.Name, "/") {
				roots = append(roots, f.Name)
			}
		}
	}
	pkg, err := Load(roots, LoadConfig{Path: "example.com/test", Overlay: overlay, resolver: res})
	if err != nil {
		var list ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("Load returned %T, want ErrorList: %v", err, err)
		}
		return err.Error() + "\n", "errors"
	}
	return dump(pkg), "ok"
}

// TestScenarioNames keeps the scenario files tidy: each has a description.
func TestScenarioNames(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if ar := txtar.Parse(data); len(bytes.TrimSpace(ar.Comment)) == 0 {
			t.Errorf("%s: no description", file)
		}
	}
}
