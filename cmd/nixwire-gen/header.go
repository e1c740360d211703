package main

import (
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
)

// module is the module nixwire-gen belongs to.
const module = "github.com/nixwire/nixwire"

// version returns the version of the nixwire module this binary was built
// from, for the headers of generated files: the version in the build
// information of the binary (the one the user's go.mod requires, for a
// `go tool` or `go run` of the module as a dependency), or "(devel)"
// when it was built inside the module itself, whose version control
// stamp would change the output with every commit.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return versionOf(bi)
}

// versionOf is version for the build information bi.
func versionOf(bi *debug.BuildInfo) string {
	if bi.Main.Path == module {
		v := bi.Main.Version
		switch {
		case v == "" || v == "(devel)":
			return "(devel)"
		case bi.Main.Sum != "" || bi.Main.Replace != nil:
			return v // the module as a dependency: the version its user's go.mod requires
		case vcsStamp.MatchString(v):
			return "(devel)" // built in a checkout: a stamp that changes with every commit
		}
		return v
	}
	for _, d := range bi.Deps {
		if d.Path == module && d.Version != "" {
			return d.Version
		}
	}
	return "(devel)"
}

// vcsStamp matches the versions the go command derives from version
// control (pseudo-versions, "+dirty").
var vcsStamp = regexp.MustCompile(`[-.][0-9]{14}-[0-9a-f]{12}|\+`)

// commandLine returns the command line written in the headers: the
// flags that decide the output, in a fixed order, with paths as given
// (absolute ones made relative to the current directory), and without
// -check, so that a check compares the files a normal run writes.
//
//	nixwire-gen -schema ./messages -out ./messages -doc ./docs/protocol.md
func commandLine(o *options, args []string) string {
	var schemas []string
	for _, s := range o.schemas {
		schemas = append(schemas, argPath(s))
	}
	parts := []string{prog, "-schema", quoteArg(strings.Join(schemas, ",")), "-out", quoteArg(argPath(o.out))}
	if pkgGiven(args) {
		parts = append(parts, "-pkg", o.pkg)
	}
	if o.doc != "" {
		parts = append(parts, "-doc", quoteArg(argPath(o.doc)))
	}
	return strings.Join(parts, " ")
}

// pkgGiven reports whether args set -pkg.
func pkgGiven(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "pkg" {
			return true
		}
	}
	return false
}

// argPath returns a path argument as given, slash-separated, or relative
// to the current directory if it is absolute.
func argPath(p string) string {
	if filepath.IsAbs(p) {
		p = relative(p)
	}
	return filepath.ToSlash(p)
}

// quoteArg quotes an argument that a shell would split or expand.
func quoteArg(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\"'\\$`*?[]{}()<>|&;#~") {
		return strconv.Quote(s)
	}
	return s
}
