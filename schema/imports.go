package schema

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// resolver finds the directories of Go import paths.
type resolver interface {
	// resolve returns, for each import path, its directory (absolute) and
	// Go package name (if it has Go files), or why it cannot be found.
	resolve(paths []string) map[string]resolved
	// packagePath returns the import path of the package in the absolute
	// directory dir, or "" if it cannot tell.
	packagePath(dir string) string
}

// resolved is where an import path was found.
type resolved struct {
	dir, name string
	err       error
}

// loadImports loads the packages imported by files (recursively) and sets
// Import.Package and, where none was written, Import.Name. It returns the
// imports whose package could not be loaded or has errors: the checker does
// not report names used through them.
func (l *loader) loadImports(files []*File) map[*Import]bool {
	broken := map[*Import]bool{}
	var paths []string
	for _, f := range files {
		for _, imp := range f.Imports {
			if _, ok := l.resolved[imp.Path]; !ok && validImportPath(imp.Path) && !slices.Contains(paths, imp.Path) {
				paths = append(paths, imp.Path)
			}
		}
	}
	if len(paths) > 0 {
		for path, r := range l.res.resolve(paths) {
			l.resolved[path] = r
		}
	}
	for _, f := range files {
		for _, imp := range f.Imports {
			if !l.importPackage(imp) {
				broken[imp] = true
			}
			if imp.Name == "" && imp.Package != nil {
				imp.Name = imp.Package.Name
			}
		}
	}
	return broken
}

// importPackage loads the package of one import statement and reports
// whether it is usable.
func (l *loader) importPackage(imp *Import) bool {
	errorf := func(msg string) bool {
		l.errs = append(l.errs, &Error{Pos: imp.Pos, Msg: msg})
		return false
	}
	if !validImportPath(imp.Path) {
		return errorf("invalid import path " + strconv.Quote(imp.Path) + ": want the Go import path of a schema package")
	}
	r, ok := l.resolved[imp.Path]
	switch {
	case !ok:
		return errorf("cannot find schema package " + strconv.Quote(imp.Path))
	case r.err != nil:
		return errorf("cannot find schema package " + strconv.Quote(imp.Path) + ": " + goError(r.err.Error()))
	}
	if lp, ok := l.byDir[r.dir]; ok {
		imp.Package = lp.pkg
		if !lp.done {
			l.reportCycle(lp, imp)
			return false
		}
		return !lp.failed
	}
	var files []string
	for _, name := range l.schemaFiles(r.dir) {
		files = append(files, displayPath(name))
	}
	if len(files) == 0 {
		return errorf("no .schema files in " + displayPath(r.dir) + ", the directory of " + strconv.Quote(imp.Path))
	}
	name := r.name
	if name == "" {
		name = packageName(r.dir)
	}
	lp := &loaded{pkg: &Package{Name: name, Path: imp.Path, Dir: r.dir, Files: files}}
	l.byDir[r.dir] = lp
	l.load(lp, imp)
	imp.Package = lp.pkg
	return !lp.failed
}

// reportCycle reports an import cycle closed by imp (in the package on top
// of the stack), which imports target, a package on the stack. It is
// reported once, at the import statement of the cycle's first package
// (the one nearest the root, which the user is most likely editing),
// naming the cycle from there.
func (l *loader) reportCycle(target *loaded, imp *Import) {
	k := slices.IndexFunc(l.stack, func(fr frame) bool { return fr.l == target })
	cycle := l.stack[k:]
	at := imp // the statement in cycle[0] that imports the next package
	if len(cycle) > 1 {
		at = cycle[1].via
	}
	var names []string
	for j := range len(cycle) + 1 {
		names = append(names, pkgDisplay(cycle[j%len(cycle)].l.pkg))
	}
	l.errs = append(l.errs, &Error{Pos: at.Pos, Msg: "import cycle not allowed: " + strings.Join(names, " imports ")})
}

// pkgDisplay names a package in messages: its import path, else its directory.
func pkgDisplay(p *Package) string {
	if p.Path != "" {
		return strconv.Quote(p.Path)
	}
	return p.Dir
}

// goError shortens an error of the go command to one line. The go
// command follows some errors with the command that fixes them on the
// next line ("...; to add it:\n\tgo get example.com/m"): the sentence is
// kept and the command appended to it, so that the message says which
// `go get` adds the missing module.
func goError(s string) string {
	line, rest, _ := strings.Cut(s, "\n")
	for _, lead := range []string{"; to add it:", "; to add:"} {
		line = strings.TrimSuffix(line, lead)
	}
	for l := range strings.SplitSeq(rest, "\n") {
		if cmd := strings.TrimSpace(l); strings.HasPrefix(cmd, "go get ") {
			return line + "; add it with `" + cmd + "`"
		}
	}
	return line
}

// displayPath names an imported file or directory in positions: relative
// to the working directory when it is below it, else absolute.
func displayPath(abs string) string {
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return abs
	}
	return rel
}

// validImportPath reports whether path looks like a Go import path (and is
// not a go command pattern such as "all" or "./x" or "a/...").
func validImportPath(path string) bool {
	switch path {
	case "", "all", "std", "cmd", "main", "tool", "work":
		return false
	}
	if strings.Contains(path, "...") || strings.HasPrefix(path, "-") {
		return false
	}
	for elem := range strings.SplitSeq(path, "/") {
		if elem == "" || elem == "." || elem == ".." || strings.HasPrefix(elem, ".") {
			return false
		}
		for _, c := range []byte(elem) {
			if !isLetter(c) && !isDigit(c) && !strings.ContainsRune(".-~+", rune(c)) {
				return false
			}
		}
	}
	return true
}
