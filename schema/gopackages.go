package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// goResolver resolves import paths with go/packages, as the go command
// does from dir: so the module graph of dir's module (its requires and
// replaces) decides where each package is.
//
// A schema package may have no Go files yet (before its first generation),
// and then the go command cannot find it: it only finds packages with Go
// files. For those, goResolver maps the path to a directory through the
// module that provides it: the longest module path that is a prefix of the
// import path, among the modules that go/packages reported for the
// packages it did find (NeedModule) and, failing that, the modules that
// `go list -m` knows by those prefixes (the main modules, workspace
// modules and requirements, with their replacements). The directory is the
// module's directory joined with the rest of the path, if it exists.
type goResolver struct {
	dir     string
	modules map[string]string // module path → directory
}

func (r *goResolver) resolve(paths []string) map[string]resolved {
	out := map[string]resolved{}
	if r.modules == nil {
		r.modules = map[string]string{}
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles | packages.NeedModule, Dir: r.dir}
	pkgs, err := packages.Load(cfg, paths...)
	if err != nil {
		for _, p := range paths {
			out[p] = resolved{err: err}
		}
		return out
	}
	failed := map[string]error{}
	for _, p := range pkgs {
		if p.Module != nil && p.Module.Dir != "" {
			r.modules[p.Module.Path] = p.Module.Dir
		}
		if p.Dir != "" { // found, possibly with errors such as "no Go files"

			out[p.PkgPath] = resolved{dir: p.Dir, name: p.Name}
			continue
		}
		err := errors.New("not found")
		if len(p.Errors) > 0 {
			err = errors.New(p.Errors[0].Msg)
		}
		failed[p.PkgPath] = err
	}
	var missing []string
	for _, p := range paths {
		if _, ok := out[p]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		r.listModules(missing)
	}
	for _, p := range missing {
		if dir := r.moduleDir(p); dir != "" {
			out[p] = resolved{dir: dir}
		} else if err := failed[p]; err != nil {
			out[p] = resolved{err: err}
		} else {
			out[p] = resolved{err: errors.New("no module provides it")}
		}
	}
	return out
}

// moduleDir returns the directory of importPath in the known module with
// the longest path that is a prefix of it, or "" if there is none or the
// directory does not exist.
func (r *goResolver) moduleDir(importPath string) string {
	for p := importPath; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		modDir, ok := r.modules[p]
		if !ok {
			continue
		}
		dir := filepath.Join(modDir, filepath.FromSlash(strings.TrimPrefix(importPath[len(p):], "/")))
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
		return ""
	}
	return ""
}

// listModules asks `go list -m` for the modules whose paths are prefixes
// of the given import paths and that r does not know yet.
func (r *goResolver) listModules(importPaths []string) {
	var args []string
	for _, ip := range importPaths {
		if r.moduleDir(ip) != "" {
			continue
		}
		for p := ip; p != "." && p != "/" && p != ""; p = path.Dir(p) {
			if _, ok := r.modules[p]; !ok && !slices.Contains(args, p) {
				args = append(args, p)
			}
		}
	}
	if len(args) == 0 {
		return
	}
	for _, m := range goListModules(r.dir, args...) {
		if m.Dir != "" && m.Error == nil {
			r.modules[m.Path] = m.Dir
		}
	}
}

// listedModule is the part of `go list -m -json` output that goResolver uses.
type listedModule struct {
	Path  string
	Dir   string
	Main  bool
	Error *struct{ Err string }
}

// goListModules runs `go list -m -json -e args...` in dir; with no args it
// lists the main modules. Failures give no modules.
func goListModules(dir string, args ...string) []listedModule {
	cmd := exec.Command("go", append([]string{"list", "-m", "-json", "-e"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		return nil
	}
	var mods []listedModule
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m listedModule
		if dec.Decode(&m) != nil {
			return mods
		}
		mods = append(mods, m)
	}
}

// packagePath returns the import path of the package in dir: from
// go/packages when the package has Go files, else from the main module
// whose directory holds dir.
func (r *goResolver) packagePath(dir string) string {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles, Dir: dir}
	if pkgs, err := packages.Load(cfg, "."); err == nil && len(pkgs) == 1 {
		p := pkgs[0]
		if len(p.Errors) == 0 && p.PkgPath != "" && !strings.HasPrefix(p.PkgPath, ".") && p.Dir == dir {
			return p.PkgPath
		}
	}
	best, bestDir := "", ""
	for _, m := range goListModules(dir) {
		if m.Dir == "" || len(m.Dir) < len(bestDir) {
			continue
		}
		rel, err := filepath.Rel(m.Dir, dir)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		best, bestDir = path.Join(m.Path, filepath.ToSlash(rel)), m.Dir
	}
	return best
}
