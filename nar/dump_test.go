package nar

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/nixwire/nixwire/internal/nixtools"
	"github.com/nixwire/nixwire/nixhash"
)

// trickyTree creates, below dir, the file system objects whose NARs the
// tests compare with Nix's, and returns the roots to dump: a tree with
// every kind of node and odd names, and roots that are a file, an
// executable, a symlink and an empty directory.
func trickyTree(t testing.TB, dir string) []string {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tree := filepath.Join(dir, "tree")
	files := map[string]struct {
		contents string
		mode     os.FileMode
	}{
		"README":                {"hello\n", 0o644},
		"bin/tool":              {"#!/bin/sh\necho hi\n", 0o755},
		"bin/.hidden":           {"dot file", 0o600},
		"bin/owner-only-x":      {"x", 0o700},
		"bin/group-x-not-owner": {"not executable for Nix", 0o654},
		"empty":                 {"", 0o644},
		"exec-empty":            {"", 0o755},
		"name with spaces":      {"spaces", 0o644},
		"ünïcödé-名前":            {"utf-8", 0o644},
		"odd\tbytes\xff\x01":    {"not utf-8", 0o644},
		"Z-upper":               {"upper case sorts first", 0o644},
		"a":                     {"7 bytes", 0o644},
		"a-b":                   {"8 bytes!", 0o644},
		"a.b":                   {"9 bytes!!", 0o644},
		"aa":                    {"16 bytes exactly", 0o644},
		"-dash":                 {"", 0o644},
		"deep/a/b/c/d/e/f/file": {"deep", 0o644},
	}
	for name, f := range files {
		p := filepath.Join(tree, name)
		must(os.MkdirAll(filepath.Dir(p), 0o755))
		must(os.WriteFile(p, []byte(f.contents), 0o644))
		must(os.Chmod(p, f.mode))
	}
	must(os.MkdirAll(filepath.Join(tree, "void"), 0o755))
	must(os.MkdirAll(filepath.Join(tree, "deep", "empty", "dirs"), 0o755))
	for name, target := range map[string]string{
		"link-rel":      "README",
		"link-abs":      "/nix/store/00000000000000000000000000000000-dangling",
		"link-dotdot":   "../../..",
		"link-self":     ".",
		"link-dangling": "no such file",
		"bin/link-up":   "../README",
		"link-spaces":   "name with spaces",
	} {
		must(os.Symlink(target, filepath.Join(tree, name)))
	}
	file := filepath.Join(dir, "file")
	must(os.WriteFile(file, []byte("a root that is a file"), 0o644))
	exe := filepath.Join(dir, "exe")
	must(os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755))
	link := filepath.Join(dir, "link")
	must(os.Symlink("/anywhere/at/all", link))
	empty := filepath.Join(dir, "emptydir")
	must(os.Mkdir(empty, 0o755))
	return []string{tree, file, exe, link, empty}
}

func dumpBytes(t testing.TB, path string) []byte {
	t.Helper()
	var b bytes.Buffer
	n, err := DumpPath(&b, path)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("DumpPath(%s) = %d, %v (wrote %d)", path, n, err, b.Len())
	}
	return b.Bytes()
}

// TestDumpAgainstNix checks DumpPath byte for byte against
// `nix-store --dump`, Restore against `nix-store --restore`, and the NAR
// hash against `nix hash path` and `nix-hash`, on both Nix versions.
func TestDumpAgainstNix(t *testing.T) {
	dir := t.TempDir()
	roots := trickyTree(t, dir)
	nixtools.Each(t, func(t *testing.T, n *nixtools.Nix) {
		for i, root := range roots {
			ours := dumpBytes(t, root)
			cmd := n.Command(t.Context(), n.NixStore, "--dump", root)
			theirs, err := cmd.Output()
			if err != nil {
				t.Fatalf("nix-store --dump %s: %v", root, err)
			}
			if !bytes.Equal(ours, theirs) {
				t.Fatalf("%s: DumpPath differs from nix-store --dump (%d vs %d bytes)\nours   %q\ntheirs %q", root, len(ours), len(theirs), ours, theirs)
			}
			h := nixhash.Sum(nixhash.SHA256, ours)
			if got := n.Run(t, n.Nix, "hash", "path", root); got != h.SRI() {
				t.Errorf("nix hash path %s = %s, sha256 of our NAR %s", root, got, h.SRI())
			}
			if n.NixHash != "" {
				if got := n.Run(t, n.NixHash, "--type", "sha256", root); got != h.Base16() {
					t.Errorf("nix-hash %s = %s, ours %s", root, got, h.Base16())
				}
			}
			// Nix restores our NAR to the same tree, and we restore it too.
			nixOut := filepath.Join(t.TempDir(), "restored")
			cmd = n.Command(t.Context(), n.NixStore, "--restore", nixOut)
			cmd.Stdin = bytes.NewReader(ours)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nix-store --restore: %v: %s", err, out)
			}
			ourOut := filepath.Join(t.TempDir(), "restored")
			if m, err := Restore(bytes.NewReader(ours), ourOut); err != nil || m != int64(len(ours)) {
				t.Fatalf("Restore = %d, %v", m, err)
			}
			if !bytes.Equal(dumpBytes(t, nixOut), ours) || !bytes.Equal(dumpBytes(t, ourOut), ours) {
				t.Fatalf("root %d: restored trees differ from the original", i)
			}
		}
	})
}

// patternReader yields n bytes of a fixed pseudo-random pattern.
type patternReader struct {
	n, off int64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n-r.off)]
	for i := range p {
		x := uint64(r.off + int64(i))
		p[i] = byte(x*0x9e3779b97f4a7c15>>56) ^ byte(x)
	}
	r.off += int64(len(p))
	return len(p), nil
}

// TestDumpHugeFile dumps a 100 MiB file next to a small one, streaming
// both our NAR and Nix's into hashes (neither is held in memory), and
// restores it.
func TestDumpHugeFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "huge")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "big"))
	if err != nil {
		t.Fatal(err)
	}
	const size = 100 << 20
	if _, err := io.Copy(f, &patternReader{n: size}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	ours := nixhash.NewWriter(nixhash.SHA256)
	if n, err := DumpPath(ours, dir); err != nil || uint64(n) != ours.Size() {
		t.Fatalf("DumpPath = %d, %v", n, err)
	}
	if ours.Size() < size {
		t.Fatalf("NAR of %d bytes", ours.Size())
	}
	nixtools.Each(t, func(t *testing.T, n *nixtools.Nix) {
		theirs := nixhash.NewWriter(nixhash.SHA256)
		cmd := n.Command(t.Context(), n.NixStore, "--dump", dir)
		cmd.Stdout = theirs
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		if theirs.Sum() != ours.Sum() || theirs.Size() != ours.Size() {
			t.Fatalf("nix-store --dump: %v (%d bytes), DumpPath: %v (%d bytes)", theirs.Sum(), theirs.Size(), ours.Sum(), ours.Size())
		}
	})
	// Restore from a pipe and dump again.
	pr, pw := io.Pipe()
	go func() { _, err := DumpPath(pw, dir); pw.CloseWithError(err) }()
	out := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(pr, out); err != nil {
		t.Fatal(err)
	}
	again := nixhash.NewWriter(nixhash.SHA256)
	if _, err := DumpPath(again, out); err != nil || again.Sum() != ours.Sum() {
		t.Fatalf("restored tree dumps to %v, %v; want %v", again.Sum(), err, ours.Sum())
	}
}

// TestRestoreRefuses checks that Restore refuses what Nix refuses, and
// leaves nothing behind.
func TestRestoreRefuses(t *testing.T) {
	hdr := []string{Magic, "(", "type", "directory"}
	entry := func(name string, node ...string) []string {
		if node == nil {
			node = []string{"(", "type", "regular", "contents", "x", ")"}
		}
		return append(append([]string{"entry", "(", "name", name, "node"}, node...), ")")
	}
	nar := func(parts ...[]string) []byte {
		toks := append([]string(nil), hdr...)
		for _, p := range parts {
			toks = append(toks, p...)
		}
		return tokens(append(toks, ")")...)
	}
	cases := map[string][]byte{
		"dotdot":     nar(entry("..")),
		"dot":        nar(entry(".")),
		"absolute":   nar(entry("/etc")),
		"slash":      nar(entry("a/../../x")),
		"NUL":        nar(entry("a\x00b")),
		"empty":      nar(entry("")),
		"duplicate":  nar(entry("a"), entry("a")),
		"unsorted":   nar(entry("b"), entry("a")),
		"truncated":  nar(entry("a"))[:100],
		"link then":  nar(entry("a", "(", "type", "symlink", "target", "/etc", ")"), entry("a")),
		"bad inside": nar(entry("d", append(append([]string{"(", "type", "directory"}, entry("..")...), ")")...)),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, err := Restore(bytes.NewReader(data), out)
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if _, err := os.Lstat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("Restore left %s behind: %v", out, err)
			}
		})
	}
	t.Run("exists", func(t *testing.T) {
		out := t.TempDir()
		if _, err := Restore(bytes.NewReader(writeNAR(dir(nil))), out); !errors.Is(err, os.ErrExist) {
			t.Fatalf("err = %v, want os.ErrExist", err)
		}
		if _, err := os.Stat(out); err != nil {
			t.Fatalf("Restore removed a directory it did not create: %v", err)
		}
	})
}

func TestDumpUnsupported(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "fifo")
	if err := mkfifo(sock); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	if _, err := DumpPath(io.Discard, dir); !errors.Is(err, ErrUnsupportedFile) {
		t.Fatalf("err = %v, want ErrUnsupportedFile", err)
	}
	if _, err := DumpPath(io.Discard, filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want os.ErrNotExist", err)
	}
}
