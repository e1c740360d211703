package schema

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree writes files (slash-separated names relative to root).
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// TestImportsGoPackages resolves imports with the go command in temporary
// modules: packages with and without Go files, a module required through
// a replace directive, an import cycle and a path that no module provides.
func TestImportsGoPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	t.Setenv("GOWORK", "off")
	t.Setenv("GOFLAGS", "-mod=readonly")
	t.Setenv("GOPROXY", "off") // never look anything up on the network
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"m/go.mod": "module example.com/m\n\ngo 1.26\n",
		"m/a/a.schema": `import b "example.com/m/b"
import "example.com/m/c"
struct A {
	X b.X if b.F
	Y cpkg.Y
}
`,
		// b has no Go files: go/packages cannot find it, the module can.
		"m/b/b.schema": "feature F = \"f\"\nstruct X {}\n",
		// c has Go files whose package name differs from the directory's.
		"m/c/c.schema":     "struct Y {}\n",
		"m/c/c.go":         "package cpkg\n",
		"m/cyc1/x.schema":  "import \"example.com/m/cyc2\"\nstruct P {}\n",
		"m/cyc2/y.schema":  "import \"example.com/m/cyc1\"\nstruct Q {}\n",
		"m/bad/bad.schema": "import nope \"example.com/m/nope\"\nimport other \"example.org/elsewhere\"\n",

		"client/go.mod":         "module example.com/client\n\ngo 1.26\n\nrequire example.com/m v0.0.0\n\nreplace example.com/m => ../m\n",
		"client/ext/ext.schema": "import nix \"example.com/m/b\"\nstruct Ext { X nix.X }\n",
		"client/main.go":        "package main\n",
		"client/gen/gen.schema": "struct G {}\n",
		"client/gen/gen_gen.go": "package generated\n",
	})
	m := filepath.Join(root, "m")

	t.Run("module packages", func(t *testing.T) {
		pkg, err := Load([]string{filepath.Join(m, "a")}, LoadConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if pkg.Path != "example.com/m/a" || pkg.Name != "a" {
			t.Errorf("package %q %q", pkg.Path, pkg.Name)
		}
		if len(pkg.Imports) != 2 {
			t.Fatalf("imports: %d", len(pkg.Imports))
		}
		b, c := pkg.Imports[0], pkg.Imports[1]
		if b.Name != "b" || b.Package.Path != "example.com/m/b" || b.Package.Dir != filepath.Join(m, "b") || b.Package.Name != "b" {
			t.Errorf("import b: %+v %+v", b, b.Package)
		}
		if c.Name != "cpkg" || c.Package.Name != "cpkg" || c.Package.Dir != filepath.Join(m, "c") {
			t.Errorf("import c: %+v %+v", c, c.Package)
		}
		a := pkg.Lookup("A").(*Struct)
		if x := a.Fields[0]; x.Type.Decl != b.Package.Lookup("X") || x.Gate.If[0] != b.Package.Features[0] {
			t.Errorf("A.X: %+v", x)
		}
		if y := a.Fields[1]; y.Type.Decl != c.Package.Lookup("Y") || y.Type.Qual != "cpkg" {
			t.Errorf("A.Y: %+v", y.Type)
		}
	})
	t.Run("replaced module", func(t *testing.T) {
		pkg, err := Load([]string{filepath.Join(root, "client", "ext")}, LoadConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if pkg.Path != "example.com/client/ext" || pkg.Imports[0].Package.Dir != filepath.Join(m, "b") {
			t.Errorf("package %q, import dir %q", pkg.Path, pkg.Imports[0].Package.Dir)
		}
	})
	t.Run("package path from Go files", func(t *testing.T) {
		pkg, err := Load([]string{filepath.Join(root, "client", "gen")}, LoadConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if pkg.Path != "example.com/client/gen" || pkg.Name != "gen" {
			t.Errorf("package %q %q", pkg.Path, pkg.Name)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		_, err := Load([]string{filepath.Join(m, "cyc1")}, LoadConfig{})
		want := filepath.Join(m, "cyc1", "x.schema") + `:1:8: import cycle not allowed: "example.com/m/cyc1" imports "example.com/m/cyc2" imports "example.com/m/cyc1"` // once
		if err == nil || err.Error() != want {
			t.Errorf("got:\n%v\nwant:\n%s", err, want)
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := Load([]string{filepath.Join(m, "bad")}, LoadConfig{})
		if err == nil {
			t.Fatal("no error")
		}
		lines := strings.Split(err.Error(), "\n")
		file := filepath.Join(m, "bad", "bad.schema")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], file+`:1:13: cannot find schema package "example.com/m/nope": `) ||
			!strings.HasPrefix(lines[1], file+`:2:14: cannot find schema package "example.org/elsewhere": `) {
			t.Errorf("got:\n%v", err)
		}
	})
	t.Run("explicit dir and path", func(t *testing.T) {
		pkg, err := Load([]string{filepath.Join(m, "a", "a.schema")}, LoadConfig{Dir: m, Path: "example.com/given"})
		if err != nil {
			t.Fatal(err)
		}
		if pkg.Path != "example.com/given" || len(pkg.Imports) != 2 {
			t.Errorf("package %q", pkg.Path)
		}
	})
}

// The go command's suggested fix is kept in the one-line message.
func TestGoErrorKeepsGoGet(t *testing.T) {
	for in, want := range map[string]string{
		"no required module provides package example.com/m/x; to add it:\n\tgo get example.com/m/x":            "no required module provides package example.com/m/x; add it with `go get example.com/m/x`",
		"missing go.sum entry for module providing package example.com/m/x; to add:\n\tgo get example.com/m/x": "missing go.sum entry for module providing package example.com/m/x; add it with `go get example.com/m/x`",
		"package example.com/m/x is not in std\nmore":                                                          "package example.com/m/x is not in std",
	} {
		if got := goError(in); got != want {
			t.Errorf("goError(%q) = %q, want %q", in, got, want)
		}
	}
}
