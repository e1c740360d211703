package nixhash_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/internal/nixtools"
	"github.com/nixwire/nixwire/nixhash"
)

// TestAgainstNix compares every form with what the Nix CLI prints for the
// same files: `nix hash file` in each encoding, and the conversions of
// `nix-hash --to-base32 / --to-base16` (Nix 2.8) or `nix hash convert`
// (2.26, which has no nix-hash). Each tool run handles all files at once.
func TestAgainstNix(t *testing.T) {
	dir := t.TempDir()
	var files []string
	var contents [][]byte
	for i, size := range []int{0, 1, 55, 64, 1000, 100003} {
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(j*31 + i)
		}
		f := filepath.Join(dir, "f"+strconv.Itoa(i))
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files, contents = append(files, f), append(contents, b)
	}
	nixtools.Each(t, func(t *testing.T, n *nixtools.Nix) {
		for _, a := range nixhash.Algorithms() {
			var hs []nixhash.Hash
			var b16, n32 []string
			for _, c := range contents {
				h := nixhash.Sum(a, c)
				hs = append(hs, h)
				b16, n32 = append(b16, h.Base16()), append(n32, h.Nix32())
			}
			forms := map[string]func(nixhash.Hash) string{
				"--base16": nixhash.Hash.Base16, "--base32": nixhash.Hash.Nix32,
				"--base64": nixhash.Hash.Base64, "--sri": nixhash.Hash.SRI,
			}
			for flag, form := range forms {
				out := n.Run(t, n.Nix, append([]string{"hash", "file", "--type", a.String(), flag}, files...)...)
				lines := strings.Split(out, "\n")
				for i, h := range hs {
					if i >= len(lines) || lines[i] != form(h) {
						t.Errorf("nix hash file --type %s %s: printed %q, nixhash %s", a, flag, lines, form(h))
						break
					}
				}
			}
			var to32, to16 string
			if n.NixHash != "" {
				to32 = n.Run(t, n.NixHash, append([]string{"--type", a.String(), "--to-base32"}, b16...)...)
				to16 = n.Run(t, n.NixHash, append([]string{"--type", a.String(), "--to-base16"}, n32...)...)
			} else {
				to32 = n.Run(t, n.Nix, append([]string{"hash", "convert", "--hash-algo", a.String(), "--to", "nix32"}, b16...)...)
				to16 = n.Run(t, n.Nix, append([]string{"hash", "convert", "--hash-algo", a.String(), "--to", "base16"}, n32...)...)
			}
			if to32 != strings.Join(n32, "\n") || to16 != strings.Join(b16, "\n") {
				t.Errorf("%s: Nix converts to\n%s\n%s\nnixhash prints\n%s\n%s", a, to32, to16, n32, b16)
			}
			// What Nix printed parses back to the same hashes.
			for i, s := range strings.Split(to32, "\n") {
				if got, err := nixhash.ParseAny(s, a); err != nil || i >= len(hs) || got != hs[i] {
					t.Errorf("ParseAny(%q) = %v, %v", s, got, err)
				}
			}
		}
	})
}
