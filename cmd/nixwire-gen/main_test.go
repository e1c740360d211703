package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/gen"
	"github.com/nixwire/nixwire/schema"
)

// TestMain lets the test binary act as nixwire-gen: the end-to-end test
// runs it with NIXWIRE_GEN_TEST_IS_GEN=1, which makes it run main instead
// of the tests. This is stringer's trick; it is much cheaper than
// building the command.
func TestMain(m *testing.M) {
	if os.Getenv("NIXWIRE_GEN_TEST_IS_GEN") == "1" {
		main()
		os.Exit(0) // unreachable: main exits
	}
	os.Exit(m.Run())
}

// A schema package used by the tests.
const (
	workerSchema = `protocol Worker

type StorePath string(max 211)

op QueryPathInfo = 26 since 1.6 {
	request { Path StorePath }
	reply   { Size u64 }
}
`
	extraSchema = `struct Extra {
	Paths list<StorePath>
}
`
	// badSchema has two errors, reported in order.
	badSchema = `struct Bad {
	A u46
	B Missing
}
`
)

// setup creates a temporary directory holding a go.mod for module
// example.com/t and the files (path → content), makes it the current
// directory and returns it. With the go.mod, the command derives import
// paths without running the go command.
func setup(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/t\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

// runArgs runs the command and returns its exit status and output.
func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// expected generates the files of the schema files (relative to the
// current directory) in-process, as the command should.
func expected(t *testing.T, name string, files ...string) (map[string][]byte, *schema.Package, gen.Config) {
	t.Helper()
	dir := filepath.Dir(files[0])
	pkg, err := schema.Load(files, schema.LoadConfig{Dir: dir, Name: name, Path: importPath(dir)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := gen.Config{SchemaPaths: map[string]string{}}
	for _, f := range files {
		cfg.SchemaPaths[f] = filepath.ToSlash(f)
	}
	out, err := gen.Generate(pkg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out, pkg, cfg
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		desc string
		args []string
		want string // first line of stderr
	}{
		{"no arguments", nil, "nixwire-gen: -schema is required"},
		{"no -out", []string{"-schema", "m"}, "nixwire-gen: -out is required"},
		{"no -schema", []string{"-out", "m"}, "nixwire-gen: -schema is required"},
		{"empty -schema", []string{"-schema", ",", "-out", "m"}, "nixwire-gen: -schema is required"},
		{"unknown flag", []string{"-schemas", "m"}, "flag provided but not defined: -schemas"},
		{"missing flag value", []string{"-out"}, "flag needs an argument: -out"},
		{"bad -check value", []string{"-check=maybe"}, `invalid boolean value "maybe" for -check: parse error`},
		{"argument", []string{"-schema", "m", "-out", "m", "extra"}, `nixwire-gen: unexpected argument "extra"`},
		{"bad -pkg", []string{"-schema", "m", "-out", "m", "-pkg", "my-pkg"}, `nixwire-gen: -pkg "my-pkg" is not a valid Go package name`},
		{"-pkg _", []string{"-schema", "m", "-out", "m", "-pkg", "_"}, `nixwire-gen: -pkg "_" is not a valid Go package name`},
		{"bad -out name", []string{"-schema", "m", "-out", "my-msgs"},
			`nixwire-gen: the name of -out directory "my-msgs" is not a valid Go package name; set -pkg`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			setup(t, map[string]string{"m/worker.schema": workerSchema, "n/worker.schema": workerSchema})
			code, stdout, stderr := runArgs(tt.args...)
			if code != exitUsage {
				t.Errorf("exit status %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout: %q, want nothing", stdout)
			}
			if first, _, _ := strings.Cut(stderr, "\n"); first != tt.want {
				t.Errorf("first line of stderr: %q, want %q", first, tt.want)
			}
			if !strings.Contains(stderr, "usage: nixwire-gen -schema") {
				t.Errorf("stderr lacks the usage:\n%s", stderr)
			}
			if _, err := os.Stat("m/worker_gen.go"); err == nil {
				t.Errorf("a usage error wrote files")
			}
		})
	}
}

// TestHelp checks that -h prints a usage that documents every flag, on
// stdout, and exits 0.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		code, stdout, stderr := runArgs(arg)
		if code != exitOK || stderr != "" {
			t.Errorf("%s: exit %d, stderr %q; want 0 and nothing", arg, code, stderr)
		}
		if !strings.HasPrefix(stdout, "usage: nixwire-gen -schema <files or dirs> -out <dir> [-pkg name] [-check] [-doc file.md]\n") {
			t.Errorf("%s: usage starts with %q", arg, strings.SplitN(stdout, "\n", 2)[0])
		}
		var o options
		newFlagSet(&o).VisitAll(func(f *flag.Flag) {
			if !strings.Contains(stdout, "\n  -"+f.Name+" ") && !strings.Contains(stdout, "\n  -"+f.Name+"\n") {
				t.Errorf("%s: usage does not document -%s:\n%s", arg, f.Name, stdout)
			}
			if f.Usage == "" {
				t.Errorf("-%s has no usage text", f.Name)
			}
		})
		for _, s := range []string{"Exit status", "go:generate"} {
			if !strings.Contains(stdout, s) {
				t.Errorf("%s: usage does not mention %q", arg, s)
			}
		}
	}
}

func TestInputErrors(t *testing.T) {
	tests := []struct {
		desc  string
		files map[string]string
		args  []string
		want  string // all of stderr
	}{
		{
			desc:  "schema errors",
			files: map[string]string{"m/bad.schema": badSchema},
			args:  []string{"-schema", "m", "-out", "m"},
			want: "nixwire-gen: m/bad.schema:2:4: unknown type \"u46\"\n" +
				"nixwire-gen: m/bad.schema:3:4: unknown type \"Missing\"\n",
		},
		{
			desc:  "errors in two files",
			files: map[string]string{"m/bad.schema": badSchema, "m/worse.schema": "struct Worse {\n\tX u64 since 2.0 until 1.0\n}\n"},
			args:  []string{"-schema", "m", "-out", "m"},
			want: "nixwire-gen: m/bad.schema:2:4: unknown type \"u46\"\n" +
				"nixwire-gen: m/bad.schema:3:4: unknown type \"Missing\"\n" +
				"nixwire-gen: m/worse.schema:2:8: empty version range: since 2.0 is not below until 1.0\n",
		},
		{
			desc:  "files of two directories",
			files: map[string]string{"m/worker.schema": workerSchema, "n/extra.schema": extraSchema},
			args:  []string{"-schema", "m/worker.schema,n/extra.schema", "-out", "m"},
			want:  "nixwire-gen: n/extra.schema: the schema files of a package must be in one directory; this one is not in m\n",
		},
		{
			desc: "missing schema file",
			args: []string{"-schema", "nope.schema", "-out", "m"},
			want: "nixwire-gen: nope.schema: cannot read: no such file or directory\n",
		},
		{
			desc:  "directory without schema files",
			files: map[string]string{"m/readme.txt": "hi"},
			args:  []string{"-schema", "m", "-out", "m"},
			want:  "nixwire-gen: m: no .schema files in directory m\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			setup(t, tt.files)
			code, stdout, stderr := runArgs(tt.args...)
			if code != exitError {
				t.Errorf("exit status %d, want %d", code, exitError)
			}
			if stdout != "" {
				t.Errorf("stdout: %q, want nothing", stdout)
			}
			if stderr != tt.want {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, tt.want)
			}
			if matches, _ := filepath.Glob("m/*_gen.go"); len(matches) > 0 {
				t.Errorf("errors, but files were written: %v", matches)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	dir := setup(t, map[string]string{
		"messages/worker.schema": workerSchema,
		"messages/extra.schema":  extraSchema,
		"messages/notes.txt":     "not touched",
		"messages/old_gen.go":    "package messages // not generated from a schema any more, not removed\n",
	})
	want, _, _ := expected(t, "messages", "messages/extra.schema", "messages/worker.schema")
	if len(want) != 2 || want["worker_gen.go"] == nil || want["extra_gen.go"] == nil {
		t.Fatalf("unexpected generated file set: %d files", len(want))
	}

	code, stdout, stderr := runArgs("-schema", "messages", "-out", "messages")
	if code != exitOK || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for name, content := range want {
		if got := readFile(t, filepath.Join("messages", name)); got != string(content) {
			t.Errorf("%s differs from what gen.Generate returns", name)
		}
	}
	header := "// Code generated by nixwire-gen from messages/worker.schema. DO NOT EDIT.\n"
	if got := readFile(t, "messages/worker_gen.go"); !strings.HasPrefix(got, header) {
		t.Errorf("worker_gen.go starts with %q, want %q", strings.SplitN(got, "\n", 2)[0], header)
	}
	if readFile(t, "messages/notes.txt") != "not touched" || !strings.Contains(readFile(t, "messages/old_gen.go"), "not removed") {
		t.Errorf("other files of -out were changed")
	}

	// A second run rewrites nothing: files keep their modification time.
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for name := range want {
		if err := os.Chtimes(filepath.Join("messages", name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	// Comma-separated and repeated -schema values, files and absolute
	// paths: the same package.
	abs := filepath.Join(dir, "messages", "worker.schema")
	code, stdout, stderr = runArgs("-schema", "messages/extra.schema,"+abs, "-schema", "messages/extra.schema", "-out", "messages", "-pkg", "messages")
	if code != exitOK || stdout != "" || stderr != "" {
		t.Fatalf("second run: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for name := range want {
		st, err := os.Stat(filepath.Join("messages", name))
		if err != nil {
			t.Fatal(err)
		}
		if !st.ModTime().Equal(old) {
			t.Errorf("%s was rewritten although it did not change", name)
		}
		if got := readFile(t, filepath.Join("messages", name)); got != string(want[name]) {
			t.Errorf("%s differs after the second run (absolute path in header?)", name)
		}
	}

	// A stale file is rewritten.
	if err := os.WriteFile("messages/worker_gen.go", []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runArgs("-schema", "messages", "-out", "messages"); code != exitOK {
		t.Fatalf("third run: exit %d: %s", code, stderr)
	}
	if readFile(t, "messages/worker_gen.go") != string(want["worker_gen.go"]) {
		t.Errorf("stale worker_gen.go was not rewritten")
	}
}

// TestOutDir checks that -out may differ from the schema directory, need
// not exist, and gives the package its name.
func TestOutDir(t *testing.T) {
	setup(t, map[string]string{"schema/worker.schema": workerSchema})
	code, _, stderr := runArgs("-schema", "schema/worker.schema", "-out", "gen/nixmsg")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := readFile(t, "gen/nixmsg/worker_gen.go")
	if !strings.Contains(got, "\npackage nixmsg\n") {
		t.Errorf("generated file is not in package nixmsg:\n%.400s", got)
	}
	if !strings.HasPrefix(got, "// Code generated by nixwire-gen from schema/worker.schema. DO NOT EDIT.\n") {
		t.Errorf("bad header: %q", strings.SplitN(got, "\n", 2)[0])
	}
}

func TestCheck(t *testing.T) {
	setup(t, map[string]string{"m/worker.schema": workerSchema})
	args := []string{"-schema", "m", "-out", "m", "-doc", "docs/m.md"}

	// Missing files: a diff from /dev/null for each, and nothing written.
	code, stdout, stderr := runArgs(append(args, "-check")...)
	if code != exitError {
		t.Errorf("missing: exit %d, want 1", code)
	}
	for _, s := range []string{"--- /dev/null\n+++ b/m/worker_gen.go\n@@ -0,0 +1,", "--- /dev/null\n+++ b/docs/m.md\n@@ -0,0 +1,"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("missing: stdout lacks %q:\n%.600s", s, stdout)
		}
	}
	if want := "nixwire-gen: 2 of 2 files are missing or stale: m/worker_gen.go, docs/m.md; rerun nixwire-gen without -check (go generate) to update them\n"; stderr != want {
		t.Errorf("missing: stderr %q, want %q", stderr, want)
	}
	for _, p := range []string{"m/worker_gen.go", "docs"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("-check created %s", p)
		}
	}

	// Clean: generate, then check.
	if code, _, stderr := runArgs(args...); code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	code, stdout, stderr = runArgs(append(args, "-check")...)
	if code != exitOK || stdout != "" || stderr != "" {
		t.Errorf("clean: exit %d, stdout %q, stderr %q; want 0 and nothing", code, stdout, stderr)
	}

	// Stale: a changed line in the generated file, a missing line in the doc.
	gofile := readFile(t, "m/worker_gen.go")
	lines := strings.SplitAfter(gofile, "\n")
	if len(lines) < 12 {
		t.Fatalf("generated file too short")
	}
	edited := append([]string(nil), lines...)
	edited[9] = "// edited by hand\n"
	changed := strings.Join(edited, "")
	if err := os.WriteFile("m/worker_gen.go", []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := readFile(t, "docs/m.md")
	if err := os.WriteFile("docs/m.md", []byte(strings.TrimSuffix(doc, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runArgs(append(args, "-check")...)
	if code != exitError {
		t.Errorf("stale: exit %d, want 1", code)
	}
	wantHunk := "--- a/m/worker_gen.go\n+++ b/m/worker_gen.go\n@@ -7,7 +7,7 @@\n" +
		" " + lines[6] + " " + lines[7] + " " + lines[8] +
		"-// edited by hand\n+" + lines[9] +
		" " + lines[10] + " " + lines[11] + " " + lines[12]
	if !strings.Contains(stdout, wantHunk) {
		t.Errorf("stale: stdout lacks the hunk\n%s\ngot:\n%s", wantHunk, stdout)
	}
	if !strings.Contains(stdout, "--- a/docs/m.md\n+++ b/docs/m.md\n") || !strings.Contains(stdout, "\\ No newline at end of file\n") {
		t.Errorf("stale: stdout lacks the diff of the doc:\n%s", stdout)
	}
	if !strings.HasPrefix(stderr, "nixwire-gen: 2 of 2 files are missing or stale: m/worker_gen.go, docs/m.md;") {
		t.Errorf("stale: stderr %q", stderr)
	}
	if readFile(t, "m/worker_gen.go") != changed {
		t.Errorf("-check rewrote a stale file")
	}
}

func TestDoc(t *testing.T) {
	setup(t, map[string]string{"m/worker.schema": workerSchema})
	code, _, stderr := runArgs("-schema", "m", "-out", "m", "-doc", "docs/protocol.md")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, pkg, cfg := expected(t, "m", "m/worker.schema")
	if got, want := readFile(t, "docs/protocol.md"), string(gen.Markdown(pkg, cfg)); got != want {
		t.Errorf("docs/protocol.md differs from gen.Markdown:\n%s\nwant:\n%s", got, want)
	}
	got := readFile(t, "docs/protocol.md")
	for _, s := range []string{"<!-- Code generated by nixwire-gen from m/worker.schema. DO NOT EDIT. -->",
		"Import path: `example.com/t/m`", "QueryPathInfo (26)", "since 1.6"} {
		if !strings.Contains(got, s) {
			t.Errorf("docs/protocol.md lacks %q", s)
		}
	}
}

func TestImportPath(t *testing.T) {
	setup(t, map[string]string{
		"mod/go.mod":        "// a module\nmodule \"example.com/mod\" // its path\n\ngo 1.26\n",
		"mod/sub/x.schema":  "",
		"other/readme.text": "",
	})
	for dir, want := range map[string]string{
		"mod":           "example.com/mod",
		"mod/sub":       "example.com/mod/sub",
		"mod/new/pkg":   "example.com/mod/new/pkg",
		"other":         "example.com/t/other",
		"mod/../other2": "example.com/t/other2",
		t.TempDir():     "", // no go.mod above it
	} {
		if got := importPath(dir); got != want {
			t.Errorf("importPath(%q) = %q, want %q", dir, got, want)
		}
	}
}

// TestEndToEnd runs the command as a process: the test binary itself,
// acting as nixwire-gen (see TestMain), checking exit statuses through
// os.Exit.
func TestEndToEnd(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip("cannot find the test binary:", err)
	}
	dir := setup(t, map[string]string{"m/worker.schema": workerSchema, "bad/bad.schema": badSchema})
	nixwireGen := func(args ...string) (int, string) {
		cmd := exec.Command(exe, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NIXWIRE_GEN_TEST_IS_GEN=1")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, string(out)
		case errors.As(err, &exit):
			return exit.ExitCode(), string(out)
		}
		t.Fatalf("running %s: %v", exe, err)
		return 0, ""
	}

	if code, out := nixwireGen("-schema", "m", "-out", "m"); code != 0 || out != "" {
		t.Fatalf("generate: exit %d, output %q", code, out)
	}
	if got := readFile(t, "m/worker_gen.go"); !strings.HasPrefix(got, "// Code generated by nixwire-gen from m/worker.schema. DO NOT EDIT.\n") {
		t.Errorf("bad header in the generated file: %q", strings.SplitN(got, "\n", 2)[0])
	}
	if code, out := nixwireGen("-schema", "m", "-out", "m", "-check"); code != 0 || out != "" {
		t.Errorf("check: exit %d, output %q", code, out)
	}
	if code, out := nixwireGen("-schema", "bad", "-out", "bad"); code != 1 || !strings.HasPrefix(out, "nixwire-gen: bad/bad.schema:2:4: ") {
		t.Errorf("schema errors: exit %d, output %q", code, out)
	}
	if code, out := nixwireGen("-out", "m"); code != 2 || !strings.Contains(out, "usage:") {
		t.Errorf("usage error: exit %d, output %q", code, out)
	}
	if code, out := nixwireGen("-h"); code != 0 || !strings.Contains(out, "-schema") {
		t.Errorf("-h: exit %d, output %q", code, out)
	}
}

// The generator's formatting errors carry the broken source.
var _ brokenFile = (*gen.RenderError)(nil)

// TestWriteBroken checks what happens with the source of a generated file
// that does not format: it lands in <out>/<file>.broken.
func TestWriteBroken(t *testing.T) {
	setup(t, nil)
	err := fmt.Errorf("wrapped: %w", &gen.RenderError{Name: "worker_gen.go", Source: []byte("package x\nfunc {"), Err: errors.New("syntax error")})
	var stderr bytes.Buffer
	writeBroken("out", err, &stderr)
	if got := readFile(t, "out/worker_gen.go.broken"); got != "package x\nfunc {" {
		t.Errorf("broken file holds %q", got)
	}
	if want := "nixwire-gen: wrote the unformatted source to " + filepath.Join("out", "worker_gen.go.broken") + "\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}

	// Other errors, and names that leave -out, write nothing.
	stderr.Reset()
	writeBroken("out2", errors.New("plain"), &stderr)
	writeBroken("out2", &gen.RenderError{Name: "../escape.go", Source: []byte("x")}, &stderr)
	if _, err := os.Stat("out2"); !errors.Is(err, os.ErrNotExist) || stderr.Len() > 0 {
		t.Errorf("wrote something: %v, %q", err, stderr.String())
	}
	if _, err := os.Stat("escape.go.broken"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("wrote outside -out")
	}
}
