package gen

// The golden scenarios: every testdata/*.txtar archive is one scenario,
// in golang.org/x/tools/txtar format:
//
//	What the scenario covers (the archive's comment).
//	-- a.schema --
//	schema input; an archive may hold several .schema files, which form one package
//	-- validate.go --
//	optional hand-written Go (Validate methods) compiled with the output
//	-- want/a_gen.go --
//	the expected generated file for a.schema, one per schema file
//	-- want/doc.md --
//	optional: the expected Markdown reference (Markdown)
//
// or, for a schema with errors, instead of the want/ files:
//
//	-- errors --
//	a.schema:3:7: the exact diagnostics, one per line, in order
//
// TestGolden loads and generates each scenario in memory (the schema files
// through schema.LoadConfig.Overlay, as if they were in this directory; Go
// package "golden", import path golden.test/<archive name>) and compares
// the results with cmp.Diff. `go test ./gen -run Golden -update` rewrites
// the expected sections from what the code produces now, keeping the
// comment and the inputs. TestGoldenCompile checks that the output of
// every successful scenario compiles and passes go vet.
//
// Scenarios named err_* hold one kind of diagnostic each. The import
// scenarios import testdata/importbase, a real schema package with its
// generated code (kept fresh by TestGoldenImportBase); the import cycle is
// the package importing github.com/nixwire/nixwire/gen, whose directory is
// its own.

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/nixwire/nixwire/schema"
)

var update = flag.Bool("update", false, "rewrite the expected output of the golden tests in testdata")

// goldenPkg is the Go package name of every scenario.
const goldenPkg = "golden"

// scenario is a parsed golden archive.
type scenario struct {
	name    string // base name of the archive without .txtar
	path    string // path of the archive
	archive *txtar.Archive
	schemas []string          // names of the .schema files, in archive order
	extra   map[string][]byte // other top-level files: hand-written Go compiled with the output
	want    map[string]string // want/<name> → content, without the want/ prefix
	errors  *string           // the errors section, if any
}

// readScenarios parses every archive in testdata.
func readScenarios(t *testing.T) []*scenario {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no testdata/*.txtar scenarios")
	}
	var out []*scenario
	for _, path := range paths {
		a, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := &scenario{
			name:    strings.TrimSuffix(filepath.Base(path), ".txtar"),
			path:    path,
			archive: a,
			extra:   map[string][]byte{},
			want:    map[string]string{},
		}
		for _, f := range a.Files {
			switch name := f.Name; {
			case name == "errors":
				e := string(f.Data)
				s.errors = &e
			case strings.HasPrefix(name, "want/"):
				s.want[strings.TrimPrefix(name, "want/")] = string(f.Data)
			case strings.HasSuffix(name, ".schema"):
				s.schemas = append(s.schemas, name)
			case strings.HasSuffix(name, ".go") && !strings.Contains(name, "/"):
				s.extra[name] = f.Data
			default:
				t.Fatalf("%s: unexpected file %q in archive", path, name)
			}
		}
		if len(strings.TrimSpace(string(a.Comment))) == 0 {
			t.Errorf("%s: the archive has no comment describing the scenario", path)
		}
		if len(s.schemas) == 0 {
			t.Errorf("%s: no .schema files", path)
		}
		if s.errors != nil && len(s.want) > 0 {
			t.Errorf("%s: has both errors and want/ files", path)
		}
		out = append(out, s)
	}
	return out
}

// result is what loading and generating a scenario produced.
type result struct {
	files  map[string]string // generated file → content, and "doc.md" when the scenario wants it
	errors string            // the diagnostics, one per line, or the error of Generate
}

// run loads the scenario from memory and generates its code.
func (s *scenario) run() result {
	overlay := make(map[string][]byte)
	for _, f := range s.archive.Files {
		if strings.HasSuffix(f.Name, ".schema") {
			overlay[f.Name] = f.Data
		}
	}
	// The import path is that of the package in the module that
	// TestGoldenCompile builds; giving it spares Load a go command.
	cfg := schema.LoadConfig{Dir: ".", Name: goldenPkg, Path: "golden.test/" + s.name, Overlay: overlay}
	pkg, err := schema.Load(s.schemas, cfg)
	if err != nil {
		return result{errors: errorLines(err)}
	}
	gcfg := Config{SchemaPaths: map[string]string{}}
	for _, f := range s.schemas {
		gcfg.SchemaPaths[f] = f
	}
	files, err := Generate(pkg, gcfg)
	if err != nil {
		return result{errors: errorLines(err)}
	}
	r := result{files: make(map[string]string)}
	for name, data := range files {
		r.files[name] = string(data)
	}
	if _, ok := s.want["doc.md"]; ok {
		r.files["doc.md"] = string(Markdown(pkg, gcfg))
	}
	return r
}

// errorLines renders err one diagnostic per line, ending in a newline.
func errorLines(err error) string {
	return strings.TrimRight(err.Error(), "\n") + "\n"
}

// TestGolden runs every scenario and compares what it produces with the
// archive.
func TestGolden(t *testing.T) {
	for _, s := range readScenarios(t) {
		t.Run(s.name, func(t *testing.T) {
			got := s.run()
			if *update {
				s.rewrite(t, got)
				return
			}
			if s.errors != nil {
				if got.errors == "" {
					t.Fatalf("want errors:\n%s\ngot none; generated %d files", *s.errors, len(got.files))
				}
				if diff := cmp.Diff(*s.errors, got.errors); diff != "" {
					t.Errorf("%s: diagnostics differ (-want +got):\n%s", s.path, diff)
				}
				return
			}
			if got.errors != "" {
				t.Fatalf("%s: unexpected errors:\n%s", s.path, got.errors)
			}
			if diff := cmp.Diff(s.want, got.files); diff != "" {
				t.Errorf("%s: output differs (-want +got; go test ./gen -run Golden -update rewrites it):\n%s", s.path, diff)
			}
		})
	}
}

// rewrite replaces the expected sections of the archive with got,
// keeping the comment, the inputs and the order of files, and writes it.
func (s *scenario) rewrite(t *testing.T, got result) {
	t.Helper()
	a := &txtar.Archive{Comment: s.archive.Comment}
	for _, f := range s.archive.Files {
		if f.Name != "errors" && !strings.HasPrefix(f.Name, "want/") {
			a.Files = append(a.Files, f)
		}
	}
	if got.errors != "" {
		a.Files = append(a.Files, txtar.File{Name: "errors", Data: []byte(got.errors)})
	} else {
		names := make([]string, 0, len(got.files))
		for name := range got.files {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			a.Files = append(a.Files, txtar.File{Name: "want/" + name, Data: []byte(got.files[name])})
		}
	}
	data := txtar.Format(a)
	if old, err := os.ReadFile(s.path); err == nil && bytes.Equal(old, data) {
		return
	}
	if err := os.WriteFile(s.path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("updated %s", s.path)
}

// importBase is the schema package that the import scenarios import.
const (
	importBaseDir  = "testdata/importbase"
	importBasePath = "github.com/nixwire/nixwire/gen/testdata/importbase"
)

// TestGoldenImportBase checks that the generated code of the imported
// fixture package, which the output of the import scenarios needs to
// compile, is what the generator produces now; -update rewrites it.
func TestGoldenImportBase(t *testing.T) {
	pkg, err := schema.Load([]string{importBaseDir}, schema.LoadConfig{Dir: ".", Name: "importbase", Path: importBasePath})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(pkg, Config{SchemaPaths: map[string]string{filepath.Join(importBaseDir, "base.schema"): "base.schema"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files["base_gen.go"] == nil {
		t.Fatalf("generated %d files, want base_gen.go", len(files))
	}
	path := filepath.Join(importBaseDir, "base_gen.go")
	if *update {
		writeTestFile(t, path, files["base_gen.go"])
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(old), string(files["base_gen.go"])); diff != "" {
		t.Errorf("%s is stale (-old +new; go test ./gen -run Golden -update rewrites it):\n%s", path, diff)
	}
}

// TestGoldenCompile checks that the output of every successful scenario
// compiles: it writes each scenario's generated files (and its
// hand-written .go files) into a package of a temporary module that
// replaces github.com/nixwire/nixwire with this repository, and runs
// go build and go vet on all of them at once. It takes a few seconds (one
// go command for all scenarios, with the build cache), so -short skips it.
func TestGoldenCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiling the golden output runs the go command; skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := "module golden.test\n\ngo 1.26.0\n\nrequire github.com/nixwire/nixwire v0.0.0\n\nreplace github.com/nixwire/nixwire => " + root + "\n"
	writeTestFile(t, filepath.Join(dir, "go.mod"), []byte(gomod))
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		writeTestFile(t, filepath.Join(dir, "go.sum"), sum)
	}

	var pkgs []string
	for _, s := range readScenarios(t) {
		if s.errors != nil {
			continue
		}
		got := s.run()
		if got.errors != "" {
			t.Errorf("%s: unexpected errors:\n%s", s.path, got.errors)
			continue
		}
		pkgDir := filepath.Join(dir, s.name)
		for name, content := range got.files {
			if strings.HasSuffix(name, ".go") {
				writeTestFile(t, filepath.Join(pkgDir, name), []byte(content))
			}
		}
		for name, content := range s.extra {
			writeTestFile(t, filepath.Join(pkgDir, name), content)
		}
		pkgs = append(pkgs, "./"+s.name)
	}
	if len(pkgs) == 0 {
		t.Fatal("no successful scenario to compile")
	}
	for _, args := range [][]string{{"build"}, {"vet"}} {
		cmd := exec.Command(goCmd, append(args, pkgs...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go %s of the golden output failed: %v\n%s", args[0], err, out)
		}
	}
}

func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
