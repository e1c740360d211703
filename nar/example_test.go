package nar_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/nixhash"
)

// The NAR hash and size of a directory, as `nix path-info` would report
// them after `nix-store --add`, and the tree restored from its NAR.
func ExampleDumpPath() {
	dir, _ := os.MkdirTemp("", "nar-example-")
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "src")
	os.Mkdir(src, 0o755)
	os.WriteFile(filepath.Join(src, "hello"), []byte("hello\n"), 0o644)

	h := nixhash.NewWriter(nixhash.SHA256)
	if _, err := nar.DumpPath(h, src); err != nil {
		panic(err)
	}
	fmt.Println(h.Sum(), h.Size())

	pr, pw := io.Pipe()
	go func() { _, err := nar.DumpPath(pw, src); pw.CloseWithError(err) }()
	if _, err := nar.Restore(pr, filepath.Join(dir, "copy")); err != nil {
		panic(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "copy", "hello"))
	fmt.Printf("%q\n", b)
	// Output:
	// sha256:1pgyz59p65wd11vfxp3vi673ijwjfg7i4ynlqlsgzvg9dvh67dpj 288
	// "hello\n"
}
