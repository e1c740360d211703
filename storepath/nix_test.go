package storepath_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/internal/nixtools"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/storepath"
)

// inputs writes the objects the tests add: a file, an executable and a
// small tree, under fixed names and contents so that reruns add nothing
// new to the stores.
func inputs(t *testing.T) (file, exe, tree string) {
	dir := t.TempDir()
	file = filepath.Join(dir, "nixwire-prims-file")
	exe = filepath.Join(dir, "nixwire-prims-exe")
	tree = filepath.Join(dir, "nixwire-prims-tree")
	for p, c := range map[string]string{file: "nixwire store path test\n", exe: "#!/bin/sh\necho nixwire\n"} {
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(exe, 0o755)
	if err := os.MkdirAll(filepath.Join(tree, "sub", "void"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(tree, "sub", "a file"), []byte("a"), 0o644)
	os.Symlink("sub/a file", filepath.Join(tree, "link"))
	return file, exe, tree
}

func narHash(t *testing.T, a nixhash.Algorithm, path string) nixhash.Hash {
	w := nixhash.NewWriter(a)
	if _, err := nar.DumpPath(w, path); err != nil {
		t.Fatal(err)
	}
	return w.Sum()
}

// TestAgainstNix compares computed paths with the paths Nix prints for
// nix-store --print-fixed-path, --add-fixed [--recursive] (every algorithm),
// --add, and builtins.toFile with and without references, on both versions.
func TestAgainstNix(t *testing.T) {
	file, exe, tree := inputs(t)
	d := storepath.DefaultDir
	contents, _ := os.ReadFile(file)
	nixtools.Each(t, func(t *testing.T, n *nixtools.Nix) {
		expect := func(what, got string, p storepath.Path, err error) {
			t.Helper()
			if err != nil {
				t.Errorf("%s: %v", what, err)
			} else if got != p.String() {
				t.Errorf("%s: Nix prints %s, storepath computes %s", what, got, p)
			}
			if q, err := storepath.Parse(got); err != nil || q != p {
				t.Errorf("%s: Parse(%s) = %v, %v", what, got, q, err)
			}
		}
		for _, a := range nixhash.Algorithms() {
			flat := nixhash.Sum(a, contents)
			for _, name := range []string{"x", "nixwire-fixed.tar.gz"} {
				p, err := d.Fixed(name, contentaddress.Flat, flat, nil, false)
				expect("print-fixed-path "+a.String(), n.Run(t, n.NixStore, "--print-fixed-path", a.String(), flat.Base16(), name), p, err)
				rec := narHash(t, a, tree)
				p, err = d.Fixed(name, contentaddress.NAR, rec, nil, false)
				expect("print-fixed-path --recursive "+a.String(), n.Run(t, n.NixStore, "--print-fixed-path", "--recursive", a.String(), rec.Nix32(), name), p, err)
			}
			p, err := d.Fixed(filepath.Base(file), contentaddress.Flat, flat, nil, false)
			expect("add-fixed "+a.String(), n.Run(t, n.NixStore, "--add-fixed", a.String(), file), p, err)
			for _, src := range []string{exe, tree} {
				ca := contentaddress.ContentAddress{Method: contentaddress.NAR, Hash: narHash(t, a, src)}
				p, err := d.FromCA(filepath.Base(src), ca, nil, false)
				expect("add-fixed --recursive "+a.String(), n.Run(t, n.NixStore, "--add-fixed", "--recursive", a.String(), src), p, err)
			}
		}
		for _, src := range []string{file, exe, tree} {
			p, err := d.Fixed(filepath.Base(src), contentaddress.NAR, narHash(t, nixhash.SHA256, src), nil, false)
			expect("add "+filepath.Base(src), n.Run(t, n.NixStore, "--add", src), p, err)
		}

		// Text: builtins.toFile, without and with references (to other
		// toFile paths, given in unsorted order).
		inner1, _ := d.Text("nixwire-inner-b", []byte("b"), nil)
		inner2, _ := d.Text("nixwire-inner-a", []byte("a"), nil)
		text := inner1.String() + " and " + inner2.String() + "\n"
		outer, err := d.Text("nixwire-outer", []byte(text), []storepath.Path{inner1, inner2})
		expr := `builtins.toFile "nixwire-outer" "${builtins.toFile "nixwire-inner-b" "b"} and ${builtins.toFile "nixwire-inner-a" "a"}\n"`
		expect("nix eval toFile with references", n.Run(t, n.Nix, "eval", "--raw", "--expr", expr), outer, err)
		plain, err := d.Text("nixwire-plain", []byte("no references"), nil)
		expect("nix eval toFile", n.Run(t, n.Nix, "eval", "--raw", "--expr", `builtins.toFile "nixwire-plain" "no references"`), plain, err)
		if n.NixInstantiate != "" {
			got := n.Run(t, n.NixInstantiate, "--eval", "-E", expr)
			expect("nix-instantiate --eval toFile", strings.Trim(got, `"`), outer, nil)
		}
		// The content address Nix records for the text path.
		info := n.Run(t, n.NixStore, "--query", "--hash", outer.String())
		if h, err := nixhash.Parse(info); err != nil || h.Algorithm() != nixhash.SHA256 {
			t.Errorf("nix-store --query --hash printed %q: %v", info, err)
		}
	})
}
