package schema

import (
	"errors"
	gotoken "go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// LoadConfig configures Load.
type LoadConfig struct {
	Dir     string            // directory for resolving imports with go/packages (default: the first schema file's directory)
	Name    string            // Go package name override; default: the directory's base name, sanitized
	Path    string            // Go import path of the package, if known (else resolved with go/packages when possible; may stay "")
	Overlay map[string][]byte // optional: file contents by path, used instead of reading disk (for tests and in-memory generation)

	// resolver resolves import paths; nil means go/packages. Tests set it.
	resolver resolver
}

// Load parses the schema files named by paths (files, or directories whose
// *.schema files are all read; files sorted by name), resolves imports,
// checks the package and returns it; on any problem it returns an ErrorList
// (sorted, all problems at once).
//
// Positions use the file names as given in paths (joined with
// filepath.Join for the files of a directory); the files of imported
// packages are named relative to the working directory when they are below
// it, else by their absolute paths. Imports, those of imported packages
// included, are resolved from cfg.Dir, so the module there decides which
// package an import path names. An Overlay entry is found by its path as
// given or by its absolute path, and the .schema entries of the overlay
// count as files of their directory.
func Load(paths []string, cfg LoadConfig) (*Package, error) {
	l := newLoader(cfg)
	pkg := l.loadRoot(paths)
	l.errs.Sort()
	if err := l.errs.Err(); err != nil {
		return nil, err
	}
	return pkg, nil
}

// loader loads a package and, recursively, the packages it imports.
type loader struct {
	cfg      LoadConfig
	overlay  map[string][]byte // by absolute path
	res      resolver
	resolved map[string]resolved // cache of res, by import path
	errs     ErrorList
	byDir    map[string]*loaded // packages by absolute directory
	stack    []frame            // packages being loaded, the root first
}

// loaded is a package being loaded or loaded.
type loaded struct {
	pkg    *Package
	done   bool // checked (false while its imports load)
	failed bool // it or a package it imports has errors
}

// frame is a package on the loader's stack and the import statement (in
// the package below it) that led there; nil for the root.
type frame struct {
	l   *loaded
	via *Import
}

func newLoader(cfg LoadConfig) *loader {
	l := &loader{cfg: cfg, overlay: map[string][]byte{}, resolved: map[string]resolved{}, byDir: map[string]*loaded{}}
	for name, src := range cfg.Overlay {
		l.overlay[absPath(name)] = src
	}
	return l
}

// absPath returns the absolute form of p, or p cleaned if that fails.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// fileError records a problem with a whole file or directory, which has
// no line to point at.
func (l *loader) fileError(name, msg string) {
	l.errs = append(l.errs, &Error{Pos: Pos{File: name}, Msg: msg})
}

// loadRoot loads the package of the files named by paths.
func (l *loader) loadRoot(paths []string) *Package {
	files := l.collect(paths)
	if len(files) == 0 {
		if len(l.errs) == 0 {
			l.fileError(".", "no schema files given")
		}
		return nil
	}
	dir := filepath.Dir(files[0])
	absDir := absPath(dir)
	for _, f := range files[1:] {
		if absPath(filepath.Dir(f)) != absDir {
			l.fileError(f, "the schema files of a package must be in one directory; this one is not in "+dir)
		}
	}
	pkg := &Package{Name: l.cfg.Name, Path: l.cfg.Path, Dir: dir, Files: files}
	if pkg.Name == "" {
		pkg.Name = packageName(absDir)
	}
	l.res = l.cfg.resolver
	if l.res == nil {
		resolveDir := l.cfg.Dir
		if resolveDir == "" {
			resolveDir = dir
		}
		l.res = &goResolver{dir: absPath(resolveDir)}
	}
	if pkg.Path == "" {
		pkg.Path = l.res.packagePath(absDir)
	}
	root := &loaded{pkg: pkg}
	l.byDir[absDir] = root
	l.load(root, nil)
	return pkg
}

// collect returns the sorted schema files named by paths.
func (l *loader) collect(paths []string) []string {
	var files []string
	for _, p := range paths {
		if _, ok := l.overlay[absPath(p)]; ok {
			files = append(files, p)
			continue
		}
		fi, err := os.Stat(p)
		switch {
		case err == nil && !fi.IsDir():
			files = append(files, p)
		case err == nil || l.overlayDir(p):
			names := l.schemaFiles(p)
			if len(names) == 0 {
				l.fileError(p, "no .schema files in directory "+p)
			}
			files = append(files, names...)
		default:
			l.fileError(p, "cannot read: "+pathErrorText(err))
		}
	}
	slices.Sort(files)
	seen := map[string]bool{} // "a.schema" and "./a.schema" are one file
	return slices.DeleteFunc(files, func(f string) bool {
		abs := absPath(f)
		dup := seen[abs]
		seen[abs] = true
		return dup
	})
}

// pathErrorText drops the path that a *fs.PathError repeats.
func pathErrorText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// overlayDir reports whether the overlay has a .schema file in dir.
func (l *loader) overlayDir(dir string) bool {
	abs := absPath(dir)
	for name := range l.overlay {
		if filepath.Dir(name) == abs && strings.HasSuffix(name, ".schema") {
			return true
		}
	}
	return false
}

// schemaFiles lists the .schema files of dir, on disk and in the overlay,
// joined to dir as given, sorted.
func (l *loader) schemaFiles(dir string) []string {
	var names []string
	entries, _ := os.ReadDir(dir) // a missing directory may still be in the overlay
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".schema") {
			names = append(names, filepath.Join(dir, e.Name()))
		}
	}
	abs := absPath(dir)
	for name := range l.overlay {
		if filepath.Dir(name) == abs && strings.HasSuffix(name, ".schema") {
			names = append(names, filepath.Join(dir, filepath.Base(name)))
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// read returns the contents of a schema file, from the overlay if it has it.
func (l *loader) read(name string) ([]byte, error) {
	if src, ok := l.overlay[absPath(name)]; ok {
		return src, nil
	}
	return os.ReadFile(name)
}

// load parses, imports and checks the package of lp, whose Files are set.
func (l *loader) load(lp *loaded, via *Import) {
	n := len(l.errs)
	l.stack = append(l.stack, frame{lp, via})
	var files []*File
	for _, name := range lp.pkg.Files {
		src, err := l.read(name)
		if err != nil {
			l.fileError(name, "cannot read: "+pathErrorText(err))
			continue
		}
		files = append(files, parse(name, src, &l.errs))
	}
	broken := l.loadImports(files)
	check(lp.pkg, files, broken, &l.errs)
	l.stack = l.stack[:len(l.stack)-1]
	lp.done = true
	lp.failed = len(l.errs) > n
}

// packageName derives a Go package name from a directory: its base name
// with every character that cannot be in an identifier replaced by "_".
func packageName(dir string) string {
	var b strings.Builder
	for _, c := range []byte(filepath.Base(dir)) {
		switch {
		case isLetter(c), isDigit(c) && b.Len() > 0:
			b.WriteByte(c)
		case isDigit(c):
			b.WriteString("p")
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	switch {
	case name == "" || name == "_" || strings.Trim(name, "_") == "":
		return "schema"
	case gotoken.IsKeyword(name):
		return name + "_"
	}
	return name
}
