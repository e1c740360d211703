package storepath_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/storepath"
)

const example = "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo-1.2_x+y?z=w"

func TestParse(t *testing.T) {
	p, err := storepath.Parse(example)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "foo-1.2_x+y?z=w" || p.HashPart() != "g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q" || p.String() != example {
		t.Fatalf("parsed %q %q %q", p.Name(), p.HashPart(), p)
	}
	if p.Base() != example[len("/nix/store/"):] {
		t.Fatalf("Base = %q", p.Base())
	}
	q, err := storepath.New(p.Digest(), p.Name())
	if err != nil || q != p {
		t.Fatalf("New(Digest, Name) = %v, %v", q, err)
	}
	other, err := storepath.Dir("/gnu/store").Parse("/gnu/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo-1.2_x+y?z=w")
	if err != nil || other != p || storepath.Dir("/gnu/store").String(other) != "/gnu/store/"+p.Base() {
		t.Fatalf("other store dir: %v, %v", other, err)
	}
	if p.Compare(p) != 0 || p.IsZero() || !(storepath.Path{}).IsZero() {
		t.Fatal("Compare/IsZero")
	}
	for _, name := range []string{".foo", "..a", "a..", "-", "x" + strings.Repeat("y", 210), "A-Z_a-z.0-9+?="} {
		if err := storepath.CheckName(name); err != nil {
			t.Errorf("CheckName(%q): %v", name, err)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	h := "g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q"
	for _, s := range []string{
		"", "/nix/store", "/nix/store/", "/nix/store/" + h, "/nix/store/" + h + "-",
		"/nix/store/" + h + "_foo", "nix/store/" + h + "-foo", "/nix/storex/" + h + "-foo",
		"/nix/store/" + h[:31] + "-foo",
		"/nix/store/" + strings.Replace(h, "g", "e", 1) + "-foo",
		"/nix/store/" + strings.Replace(h, "g", "G", 1) + "-foo",
		"/nix/store/" + h + "-foo/bin", "/nix/store/" + h + "-foo bar", "/nix/store/" + h + "-.",
		"/nix/store/" + h + "-..", "/nix/store/" + h + "-.-x", "/nix/store/" + h + "-..-x",
		"/nix/store/" + h + "-" + strings.Repeat("a", 212), "/nix/store/" + h + "-f\x00",
		"/nix/store/" + h + "-ünï",
	} {
		if _, err := storepath.Parse(s); !errors.Is(err, storepath.ErrInvalid) {
			t.Errorf("Parse(%.80q) = %v, want ErrInvalid", s, err)
		}
	}
	if _, err := storepath.Parse("/nix/store/" + h + "-" + strings.Repeat("a", 211)); err != nil {
		t.Errorf("211-character name: %v", err)
	}
}

func TestParseNoAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { storepath.Parse(example) }); n != 0 {
		t.Errorf("Parse: %v allocs", n)
	}
	p, _ := storepath.Parse(example)
	buf := make([]byte, 0, 128)
	if n := testing.AllocsPerRun(100, func() { storepath.DefaultDir.AppendPath(buf[:0], p) }); n != 0 {
		t.Errorf("AppendPath: %v allocs", n)
	}
}

// TestMakeVectors pins computed paths to what Nix 2.8 printed for the
// file "hello\n" (nix-store --add-fixed, --add, builtins.toFile); the
// test against the CLIs covers far more.
func TestMakeVectors(t *testing.T) {
	d := storepath.DefaultDir
	sum := func(a nixhash.Algorithm) nixhash.Hash { return nixhash.Sum(a, []byte("hello\n")) }
	check := func(what string, p storepath.Path, err error, want string) {
		t.Helper()
		if err != nil || p.String() != want {
			t.Errorf("%s = %v, %v; want %s", what, p, err, want)
		}
	}
	p, err := d.Fixed("f", contentaddress.Flat, sum(nixhash.MD5), nil, false)
	check("flat md5", p, err, "/nix/store/7s9z2am75yq73wgn24qpijd5jf44vb5s-f")
	p, err = d.Fixed("f", contentaddress.Flat, sum(nixhash.SHA256), nil, false)
	check("flat sha256", p, err, "/nix/store/1p9q0bz6f22dyxh4lw8xs08p4201vyq4-f")
	p, err = d.Text("x", []byte("hello"), nil)
	check("toFile", p, err, "/nix/store/4g4g9i669dl63abpww0djbl2jxl6bwiz-x")
	if _, err := d.Fixed("f", contentaddress.Flat, sum(nixhash.SHA1), []storepath.Path{p}, false); !errors.Is(err, storepath.ErrInvalid) {
		t.Errorf("flat with references: %v", err)
	}
	if _, err := d.Fixed("f", contentaddress.Git, sum(nixhash.SHA1), nil, false); !errors.Is(err, storepath.ErrInvalid) {
		t.Errorf("git: %v", err)
	}
	if _, err := d.Text("bad name", nil, nil); !errors.Is(err, storepath.ErrInvalid) {
		t.Errorf("bad name: %v", err)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := storepath.Parse(example); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(example)
	f.Add("/nix/store/00000000000000000000000000000000-.-")
	f.Add("/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-x")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := storepath.Parse(s)
		if err != nil {
			if !errors.Is(err, storepath.ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("%q parses to %q", s, p)
		}
		if q, err := storepath.New(p.Digest(), p.Name()); err != nil || q != p {
			t.Fatalf("New: %v", err)
		}
	})
}

func ExampleDir_Text() {
	// The path `builtins.toFile "x" "hello"` evaluates to.
	p, err := storepath.DefaultDir.Text("x", []byte("hello"), nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(p)
	// Output: /nix/store/4g4g9i669dl63abpww0djbl2jxl6bwiz-x
}

func TestZero(t *testing.T) {
	var p storepath.Path
	if p.String() != "" || p.Base() != "" || !p.IsZero() {
		t.Fatalf("zero Path prints %q", p)
	}
	var h nixhash.Hash
	if h.String() != "" || h.SRI() != "" || h.Base16() != "" {
		t.Fatalf("zero Hash prints %q", h)
	}
}

// TestCompareOrdersAsHashParts: Compare orders paths exactly as their
// base names compare as strings, which is how Nix sorts them.
func TestCompareOrdersAsHashParts(t *testing.T) {
	var paths []storepath.Path
	for i := range 200 {
		sum := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		var d [storepath.DigestSize]byte
		copy(d[:], sum[:])
		if i%7 == 0 && len(paths) > 0 {
			d = paths[len(paths)-1].Digest() // same digest, other name
		}
		p, err := storepath.New(d, fmt.Sprintf("n%d", i%3))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	for _, a := range paths {
		for _, b := range paths {
			if got, want := a.Compare(b), strings.Compare(a.Base(), b.Base()); got != want {
				t.Fatalf("Compare(%s, %s) = %d, base names compare %d", a.Base(), b.Base(), got, want)
			}
		}
	}
}
