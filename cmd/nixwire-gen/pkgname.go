package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// packageName returns the Go package name of the hand-written Go files
// already in dir (its non-test .go files that are not generated), so that
// the generated files join that package whatever the directory is
// called; "" if there are none. Files that disagree are an error, as
// they would be for the go command.
func packageName(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	names := map[string][]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil || ast.IsGenerated(f) || f.Name.Name == "main" && hasIgnoreTag(f) {
			continue // broken files are the compiler's to report; generated ones follow the package
		}
		names[f.Name.Name] = append(names[f.Name.Name], name)
	}
	switch len(names) {
	case 0:
		return "", nil
	case 1:
		for n := range names {
			return n, nil
		}
	}
	var found []string
	for n, files := range names {
		found = append(found, fmt.Sprintf("%s (%s)", n, strings.Join(files, ", ")))
	}
	slices.Sort(found)
	return "", fmt.Errorf("the Go files in %s belong to different packages: %s; set -pkg", dir, strings.Join(found, ", "))
}

// hasIgnoreTag reports whether f is excluded from builds with
// "//go:build ignore", as the generator programs of a package often are.
func hasIgnoreTag(f *ast.File) bool {
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:build") && strings.Contains(c.Text, "ignore") {
				return true
			}
		}
	}
	return false
}
