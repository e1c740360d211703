package nixhash_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/nixhash"
)

// helloVectors are the hashes of "hello\n" as `nix hash file --base16
// / --base32 / --base64` (Nix 2.8) print them.
var helloVectors = []struct {
	algo                  nixhash.Algorithm
	base16, nix32, base64 string
}{
	{nixhash.MD5, "b1946ac92492d2347c6235b4d2611184", "4425hx5d1mc9y39llj4k4nm55i", "sZRqySSS0jR8YjW00mERhA=="},
	{nixhash.SHA1, "f572d396fae9206628714fb2ce00f72e94f2258f", "iwjz551fyw0cxcjgf4l6c879zabd6wpm", "9XLTlvrpIGYocU+yzgD3LpTyJY8="},
	{nixhash.SHA256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", "00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq", "WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM="},
	{nixhash.SHA512, "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629", "0lrc0dwnvipqviibf7qfm1y492qvjwb1zhkcyi05cndmva1mr5gjcgrnz1x36djmk0sfg8djd2n0qv68vib2jg590mwznar9jcjphp7", "58IrmUxZ2c8rSOVJseJGZmNgRZMNPafBrLKZ0cO3+TH5Sq5B7dosKyB6NuEPi8uNRSI+VIePWzFufOO2vAGWKQ=="},
}

func TestVectors(t *testing.T) {
	for _, v := range helloVectors {
		t.Run(v.algo.String(), func(t *testing.T) {
			h := nixhash.Sum(v.algo, []byte("hello\n"))
			a := v.algo.String()
			for _, c := range []struct{ got, want string }{
				{h.Base16(), v.base16},
				{h.Nix32(), v.nix32},
				{h.Base64(), v.base64},
				{h.String(), a + ":" + v.nix32},
				{h.SRI(), a + "-" + v.base64},
				{h.Text(nixhash.Base16, true), a + ":" + v.base16},
			} {
				if c.got != c.want {
					t.Errorf("got %s, want %s", c.got, c.want)
				}
			}
			// Every form Nix accepts parses to the same hash.
			for _, s := range []string{
				a + ":" + v.base16, a + ":" + strings.ToUpper(v.base16), a + ":" + v.nix32, a + ":" + v.base64, a + "-" + v.base64,
			} {
				got, err := nixhash.Parse(s)
				if err != nil || got != h {
					t.Errorf("Parse(%q) = %v, %v", s, got, err)
				}
				if got, err := nixhash.ParseAny(s, v.algo); err != nil || got != h {
					t.Errorf("ParseAny(%q, %s) = %v, %v", s, v.algo, got, err)
				}
			}
			for _, s := range []string{v.base16, v.nix32, v.base64} {
				if got, err := nixhash.ParseAny(s, v.algo); err != nil || got != h {
					t.Errorf("ParseAny(%q, %s) = %v, %v", s, v.algo, got, err)
				}
				if got, err := nixhash.ParseBare(s, v.algo); err != nil || got != h {
					t.Errorf("ParseBare(%q, %s) = %v, %v", s, v.algo, got, err)
				}
				if _, err := nixhash.Parse(s); !errors.Is(err, nixhash.ErrAlgorithm) {
					t.Errorf("Parse(%q) without algorithm: %v, want ErrAlgorithm", s, err)
				}
			}
			if got, err := nixhash.ParseSRI(a + "-" + v.base64); err != nil || got != h {
				t.Errorf("ParseSRI = %v, %v", got, err)
			}
			// Nix also reads SRI without the base64 padding, but not a bare
			// base64 digest without it.
			unpadded := strings.TrimRight(v.base64, "=")
			if got, err := nixhash.Parse(a + "-" + unpadded); err != nil || got != h {
				t.Errorf("Parse(unpadded SRI) = %v, %v", got, err)
			}
			if _, err := nixhash.ParseAny(unpadded, v.algo); err == nil && unpadded != v.base64 {
				t.Errorf("ParseAny accepts unpadded bare base64 %q", unpadded)
			}
			var buf bytes.Buffer
			w := nixhash.NewWriter(v.algo)
			buf.WriteString("hello\n")
			buf.WriteTo(w)
			if w.Sum() != h || w.Size() != 6 {
				t.Errorf("Writer: %v, %d", w.Sum(), w.Size())
			}
			txt, _ := h.MarshalText()
			var back nixhash.Hash
			if err := back.UnmarshalText(txt); err != nil || back != h {
				t.Errorf("text round trip: %v, %v", back, err)
			}
			if d, _ := nixhash.New(v.algo, h.Digest()); d != h {
				t.Errorf("New(Digest) = %v", d)
			}
		})
	}
}

func TestNix32Edges(t *testing.T) {
	zero := make([]byte, 32)
	if got := string(nixhash.AppendNix32(nil, zero)); got != strings.Repeat("0", 52) {
		t.Errorf("zeros: %s", got)
	}
	ones := bytes.Repeat([]byte{0xff}, 20)
	if got := string(nixhash.AppendNix32(nil, ones)); got != strings.Repeat("z", 32) {
		t.Errorf("ones: %s (nix-hash --type sha1 --to-base32 prints z×32)", got)
	}
	// 52 nix32 digits hold 260 bits: the first digit has one bit of the
	// digest, the other 4 must be zero.
	d := make([]byte, 32)
	if nixhash.DecodeNix32(d, "2"+strings.Repeat("0", 51)) {
		t.Error("decoded a digit with bits beyond 256")
	}
	if !nixhash.DecodeNix32(d, "1"+strings.Repeat("0", 51)) || d[31] != 0x80 {
		t.Errorf("top digit 1: %x", d)
	}
	for _, bad := range []string{"e", "o", "u", "t", "A", "-", "\x00"} {
		if nixhash.DecodeNix32(d, bad+strings.Repeat("0", 51)) {
			t.Errorf("accepted %q", bad)
		}
	}
	if nixhash.DecodeNix32(d, "000") {
		t.Error("accepted a wrong length")
	}
	for n := 0; n <= 70; n++ {
		if l := nixhash.Nix32EncodedLen(n); n > 0 && nixhash.Nix32DecodedLen(l) != n {
			t.Errorf("lengths of %d bytes: %d chars, back %d", n, l, nixhash.Nix32DecodedLen(l))
		}
	}
}

func TestRoundTripRandom(t *testing.T) {
	for _, a := range nixhash.Algorithms() {
		for range 200 {
			d := make([]byte, a.Size())
			rand.Read(d)
			h, err := nixhash.New(a, d)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range []nixhash.Encoding{nixhash.Base16, nixhash.Nix32, nixhash.Base64} {
				for _, s := range []string{h.Text(e, true), h.Text(e, false)} {
					got, err := nixhash.ParseAny(s, a)
					if err != nil || got != h {
						t.Fatalf("%s %s: %q → %v, %v", a, e, s, got, err)
					}
				}
			}
			if got, err := nixhash.Parse(h.SRI()); err != nil || got != h {
				t.Fatalf("SRI %q → %v, %v", h.SRI(), got, err)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	sha := nixhash.Sum(nixhash.SHA256, nil)
	cases := []struct {
		in   string
		algo nixhash.Algorithm
		want error
	}{
		{"", 0, nixhash.ErrAlgorithm},
		{"sha3:" + sha.Base16(), 0, nixhash.ErrAlgorithm},
		{"sha1:" + sha.Base16(), 0, nixhash.ErrEncoding},
		{"sha256:" + sha.Base16(), nixhash.SHA1, nixhash.ErrAlgorithm},
		{"sha256:" + sha.Base16()[1:], 0, nixhash.ErrEncoding},
		{"sha256:" + "g" + sha.Base16()[1:], 0, nixhash.ErrEncoding},
		{"sha256-" + sha.Base16(), 0, nixhash.ErrEncoding},
		{"sha256-" + strings.TrimSuffix(sha.Base64(), "=") + "AAAA", 0, nixhash.ErrEncoding}, // 35 bytes
		{"sha256-" + sha.Base64()[:20] + "!" + sha.Base64()[21:], 0, nixhash.ErrEncoding},
		{"sha256-" + strings.Repeat("A", 10000), 0, nixhash.ErrEncoding},
		{"sha256:" + strings.Repeat("!", 44), 0, nixhash.ErrEncoding},
		{sha.Nix32(), 0, nixhash.ErrAlgorithm},
	}
	for _, c := range cases {
		_, err := nixhash.ParseAny(c.in, c.algo)
		if !errors.Is(err, c.want) {
			t.Errorf("ParseAny(%.60q, %v) = %v, want %v", c.in, c.algo, err, c.want)
		}
		var e *nixhash.Error
		if err != nil && !errors.As(err, &e) {
			t.Errorf("error %T is not *nixhash.Error", err)
		}
	}
	if _, err := nixhash.ParseAlgorithm("SHA256"); !errors.Is(err, nixhash.ErrAlgorithm) {
		t.Errorf("ParseAlgorithm is case-sensitive in Nix: %v", err)
	}
	if _, err := nixhash.New(nixhash.SHA1, make([]byte, 32)); !errors.Is(err, nixhash.ErrEncoding) {
		t.Errorf("New with a wrong size: %v", err)
	}
}

// TestSRIBase64AsNix: Nix decodes SRI base64 up to the first '=', so that
// its padding is optional, partial padding passes and what follows '=' is
// ignored (`nix hash to-base16` of Nix 2.8 and 2.26 take all of these).
func TestSRIBase64AsNix(t *testing.T) {
	v := helloVectors[3] // sha512: its base64 ends in "=="
	for _, in := range []string{
		"sha512-" + v.base64,
		"sha512-" + strings.TrimRight(v.base64, "="),
		"sha512-" + strings.TrimSuffix(v.base64, "="),
		"sha512-" + v.base64 + "junk",
		"sha512-" + strings.TrimSuffix(v.base64, "=") + "junk",
		"sha512:" + v.base64,
	} {
		h, err := nixhash.ParseAny(in, 0)
		if err != nil || h.Base16() != v.base16 {
			t.Errorf("ParseAny(%q) = %v, %v; want the digest %s", in, h, err, v.base16)
		}
	}
	b, err := nixhash.DecodeBase64("aGk\n=garbage")
	if err != nil || string(b) != "hi" {
		t.Errorf("DecodeBase64 = %q, %v", b, err)
	}
	if _, err := nixhash.DecodeBase64("a!"); !errors.Is(err, nixhash.ErrBase64) {
		t.Errorf("DecodeBase64 of a bad byte: %v", err)
	}
}

func TestNoAllocs(t *testing.T) {
	d, _ := hex.DecodeString(helloVectors[2].base16)
	buf := make([]byte, 64)
	out := make([]byte, 32)
	s := helloVectors[2].nix32
	h := nixhash.Sum(nixhash.SHA256, []byte("hello\n"))
	text := make([]byte, 0, 128)
	prefixed := "sha256:" + helloVectors[2].base16
	for name, f := range map[string]func(){
		"EncodeNix32": func() { nixhash.EncodeNix32(buf, d) },
		"DecodeNix32": func() { nixhash.DecodeNix32(out, s) },
		"ParseBare":   func() { nixhash.ParseBare(s, nixhash.SHA256) },
		"Parse":       func() { nixhash.Parse(prefixed) },
		"AppendText":  func() { h.AppendText(text[:0], nixhash.Nix32, true) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocs, want 0", name, n)
		}
	}
}

func BenchmarkNix32(b *testing.B) {
	d := nixhash.Sum(nixhash.SHA256, []byte("x")).Digest()
	buf := make([]byte, 52)
	s := string(nixhash.EncodeNix32(make([]byte, 52), d))
	out := make([]byte, 32)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			nixhash.EncodeNix32(buf, d)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			nixhash.DecodeNix32(out, s)
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		in := "sha256:" + s
		for b.Loop() {
			nixhash.Parse(in)
		}
	})
}

func FuzzNix32(f *testing.F) {
	f.Add(helloVectors[2].nix32)
	f.Add(strings.Repeat("z", 32))
	f.Add("0")
	f.Fuzz(func(t *testing.T, s string) {
		n := nixhash.Nix32DecodedLen(len(s))
		if n < 0 {
			return
		}
		d := make([]byte, n)
		if !nixhash.DecodeNix32(d, s) {
			return
		}
		if back := string(nixhash.AppendNix32(nil, d)); back != s {
			t.Fatalf("%q decodes to %x, which encodes to %q", s, d, back)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, v := range helloVectors {
		a := v.algo.String()
		f.Add(a + ":" + v.nix32)
		f.Add(a + "-" + v.base64)
		f.Add(a + ":" + v.base16)
		f.Add(v.base16)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := nixhash.ParseAny(s, nixhash.SHA256)
		if err != nil {
			return
		}
		for _, e := range []nixhash.Encoding{nixhash.Base16, nixhash.Nix32, nixhash.Base64} {
			if back, err := nixhash.Parse(h.Text(e, true)); err != nil || back != h {
				t.Fatalf("%q: %s form %q does not parse back: %v", s, e, h.Text(e, true), err)
			}
		}
	})
}
