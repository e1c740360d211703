package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nixwire/nixwire/gen"
	"github.com/nixwire/nixwire/internal/udiff"
	"github.com/nixwire/nixwire/schema"
)

// Exit statuses.
const (
	exitOK    = 0 // success; with -check, everything is up to date
	exitError = 1 // schema or generation errors, I/O errors, stale files
	exitUsage = 2 // bad command line
)

// prog prefixes every message.
const prog = "nixwire-gen"

// options is a parsed command line.
type options struct {
	schemas []string // -schema values, split at commas, in order
	out     string   // -out
	pkg     string   // -pkg
	check   bool     // -check
	doc     string   // -doc

	command    string          // the command line written in the headers (see commandLine)
	schemaDirs map[string]bool // the directories of the schema files, as the headers name them
}

// listFlag is a flag that may be repeated and holds comma-separated lists.
type listFlag struct{ list *[]string }

func (f listFlag) String() string {
	if f.list == nil {
		return ""
	}
	return strings.Join(*f.list, ",")
}

func (f listFlag) Set(s string) error {
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*f.list = append(*f.list, v)
		}
	}
	return nil
}

const usageHead = `usage: nixwire-gen -schema <files or dirs> -out <dir> [-pkg name] [-check] [-doc file.md]

nixwire-gen generates Go code from nixwire schema files: one <base>_gen.go
file in -out for each <base>.schema file, with the types, their wire
methods and the table of operations. A file is written only when its
content changes; a file nixwire-gen generated from a schema file that no
longer exists is removed; nothing else in -out is touched.

Typical use, in a go:generate line:

	//go:generate go tool nixwire-gen -schema . -out .

after "go get -tool github.com/nixwire/nixwire/cmd/nixwire-gen".

Flags:
`

const usageTail = `
Exit status: 0 on success, 1 on schema or generation errors (one per line,
as file:line:col: message) or when -check finds stale files, 2 on usage
errors. The schema language is described in the README of
github.com/nixwire/nixwire/schema.
`

// newFlagSet returns the flag set of the command, filling o.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.Var(listFlag{&o.schemas}, "schema", "the `files or dirs` of one schema package (a directory stands for its *.schema files); repeatable, or comma-separated (required)")
	fs.StringVar(&o.out, "out", "", "output `dir`ectory: the Go package to write <base>_gen.go files into (required)")
	fs.StringVar(&o.pkg, "pkg", "", "Go package `name` (default: the package of the Go files in -out, else the base name of -out)")
	fs.BoolVar(&o.check, "check", false, "write nothing; exit 1 with a unified diff if any output on disk is missing or stale, or left over from a schema file that is gone")
	fs.StringVar(&o.doc, "doc", "", "also write a Markdown reference of the schema to `file.md` (checked too with -check)")
	fs.Usage = func() {
		w := fs.Output()
		io.WriteString(w, usageHead)
		fs.PrintDefaults()
		io.WriteString(w, usageTail)
	}
	return fs
}

// run is the whole command: it parses args, generates, writes or checks,
// and returns the exit status. It prints diffs and help to stdout and
// everything else to stderr.
func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := newFlagSet(&o)
	usage := fs.Usage
	fs.Usage = func() {} // a usage error prints one line, not the help
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			usage()
			return exitOK
		}
		return usageError(stderr, "%v", err)
	}
	switch {
	case fs.NArg() > 0:
		return usageError(stderr, "unexpected argument %q", fs.Arg(0))
	case len(o.schemas) == 0:
		return usageError(stderr, "-schema is required")
	case o.out == "":
		return usageError(stderr, "-out is required")
	}
	if o.pkg != "" && !isPackageName(o.pkg) {
		return usageError(stderr, "-pkg %q is not a valid Go package name", o.pkg)
	}
	if o.pkg == "" {
		name, err := packageName(o.out)
		if err != nil {
			return fail(stderr, err)
		}
		if name == "" {
			abs, err := filepath.Abs(o.out)
			if err != nil {
				return fail(stderr, err)
			}
			name = filepath.Base(abs)
			if !isPackageName(name) {
				return usageError(stderr, "the name of -out directory %q is not a valid Go package name; set -pkg", name)
			}
		}
		o.pkg = name
	}

	o.command = commandLine(&o, args)
	for i, p := range o.schemas {
		o.schemas[i] = relative(p)
	}
	outputs, code := generate(&o, stderr)
	if code != exitOK {
		return code
	}
	stale, err := staleFiles(o.out, outputs, o.schemaDirs)
	if err != nil {
		return fail(stderr, err)
	}
	if o.check {
		return check(outputs, stale, stdout, stderr)
	}
	if code := write(outputs, stderr); code != exitOK {
		return code
	}
	return remove(stale, stderr)
}

// usageError prints a usage error on one line with a pointer to -h, and
// returns exitUsage.
func usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "%s: %s (run %s -h for usage)\n", prog, fmt.Sprintf(format, a...), prog)
	return exitUsage
}

// output is a file the command writes.
type output struct {
	path    string // where to write it: a path derived from -out or -doc
	content []byte
}

// generate loads the schema files and renders every output: the Go files
// in sorted order, then the -doc file. On errors it prints them and
// returns their exit status.
func generate(o *options, stderr io.Writer) ([]output, int) {
	// Imports resolve from the output directory, which is in the module
	// the generated code belongs to; before the first run it may not
	// exist yet, and then Load uses the schema files' directory.
	dir := ""
	if st, err := os.Stat(o.out); err == nil && st.IsDir() {
		dir = o.out
	}
	cfg := schema.LoadConfig{Dir: dir, Name: o.pkg, Path: importPath(o.out)}
	pkg, err := schema.Load(o.schemas, cfg)
	if err != nil {
		return nil, fail(stderr, err)
	}

	// Load names the files as given (a directory's files joined to it),
	// and these paths are relative unless given otherwise.
	gcfg := gen.Config{SchemaPaths: make(map[string]string, len(pkg.Files)), Version: version(), Command: o.command}
	o.schemaDirs = map[string]bool{}
	for _, f := range pkg.Files {
		gcfg.SchemaPaths[f] = filepath.ToSlash(f)
		o.schemaDirs[path.Dir(filepath.ToSlash(f))] = true
	}
	files, err := gen.Generate(pkg, gcfg)
	if err != nil {
		code := fail(stderr, err)
		if !o.check {
			writeBroken(o.out, err, stderr)
		}
		return nil, code
	}
	names := make([]string, 0, len(files))
	for name := range files {
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			return nil, fail(stderr, fmt.Errorf("generator returned a file name outside -out: %q", name))
		}
		names = append(names, name)
	}
	slices.Sort(names)
	outputs := make([]output, 0, len(names)+1)
	for _, name := range names {
		outputs = append(outputs, output{filepath.Join(o.out, filepath.FromSlash(name)), files[name]})
	}
	if o.doc != "" {
		outputs = append(outputs, output{filepath.Clean(o.doc), gen.Markdown(pkg, gcfg)})
	}
	return outputs, exitOK
}

// brokenFile is implemented by generation errors that carry the
// unformatted source of a file that could not be formatted.
type brokenFile interface {
	error
	BrokenFile() (name string, src []byte)
}

// writeBroken writes the unformatted source carried by err, if any, to
// <out>/<name>.broken, and says so on stderr.
func writeBroken(out string, err error, stderr io.Writer) {
	var b brokenFile
	if !errors.As(err, &b) {
		return
	}
	name, src := b.BrokenFile()
	if !filepath.IsLocal(filepath.FromSlash(name)) {
		return
	}
	path := filepath.Join(out, filepath.FromSlash(name)) + ".broken"
	if werr := writeFile(path, src); werr != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, werr)
		return
	}
	fmt.Fprintf(stderr, "%s: wrote the unformatted source to %s\n", prog, path)
}

// write writes the outputs that differ from the files on disk.
func write(outputs []output, stderr io.Writer) int {
	for _, o := range outputs {
		old, err := os.ReadFile(o.path)
		if err == nil && bytes.Equal(old, o.content) {
			continue
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(stderr, err)
		}
		if err := writeFile(o.path, o.content); err != nil {
			return fail(stderr, err)
		}
	}
	return exitOK
}

// writeFile writes content to path, creating its directory if needed.
func writeFile(path string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, content, 0o644)
}

// check compares the outputs with the files on disk and prints a unified
// diff for each that differs or is missing.
func check(outputs []output, gone []string, stdout, stderr io.Writer) int {
	var stale []string
	for _, o := range outputs {
		slash := filepath.ToSlash(o.path)
		oldName := "a/" + slash
		old, err := os.ReadFile(o.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			oldName = "/dev/null"
		case err != nil:
			return fail(stderr, err)
		case bytes.Equal(old, o.content):
			continue
		}
		stale = append(stale, o.path)
		stdout.Write(udiff.Unified(oldName, "b/"+slash, old, o.content, 3))
	}
	if err := staleDiffs(gone, stdout); err != nil {
		return fail(stderr, err)
	}
	if len(gone) > 0 {
		fmt.Fprintf(stderr, "%s: %d generated files have no schema file any more: %s; rerun nixwire-gen without -check (go generate) to remove them\n",
			prog, len(gone), strings.Join(gone, ", "))
	}
	if len(stale) > 0 {
		fmt.Fprintf(stderr, "%s: %d of %d files are missing or stale: %s; rerun nixwire-gen without -check (go generate) to update them\n",
			prog, len(stale), len(outputs), strings.Join(stale, ", "))
	}
	if len(stale) == 0 && len(gone) == 0 {
		return exitOK
	}
	return exitError
}

// fail prints err, one line per schema error, and returns exitError.
func fail(stderr io.Writer, err error) int {
	var list schema.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintf(stderr, "%s: %v\n", prog, e)
		}
		return exitError
	}
	fmt.Fprintf(stderr, "%s: %v\n", prog, err)
	return exitError
}

// relative cleans p and makes it relative to the current directory if it
// is absolute and that is possible, so that headers and messages carry no
// absolute paths.
func relative(p string) string {
	p = filepath.Clean(p)
	if !filepath.IsAbs(p) {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil {
		return r
	}
	return p
}

// isPackageName reports whether s can be a Go package name.
func isPackageName(s string) bool {
	return token.IsIdentifier(s) && s != "_"
}

// importPath returns the Go import path of directory dir, derived from
// the nearest go.mod above it, or "" if there is none.
func importPath(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for root := abs; ; {
		if mod := modulePath(filepath.Join(root, "go.mod")); mod != "" {
			rel, err := filepath.Rel(root, abs)
			if err != nil {
				return ""
			}
			if rel == "." {
				return mod
			}
			return mod + "/" + filepath.ToSlash(rel)
		}
		parent := filepath.Dir(root)
		if parent == root {
			return ""
		}
		root = parent
	}
}

// modulePath returns the module path declared in the go.mod file at
// path, or "" if it cannot be read.
func modulePath(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		rest, ok := strings.CutPrefix(line, "module")
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '"') {
			continue
		}
		rest = strings.TrimSpace(rest)
		if p, err := strconv.Unquote(rest); err == nil {
			return p
		}
		return rest
	}
	return ""
}
