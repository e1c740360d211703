package contentaddress_test

import (
	"errors"
	"testing"

	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/nixhash"
)

func TestParsePrint(t *testing.T) {
	sha := nixhash.Sum(nixhash.SHA256, []byte("hello\n"))
	sha1 := nixhash.Sum(nixhash.SHA1, []byte("hello\n"))
	cases := []struct {
		in   string
		want contentaddress.ContentAddress
		out  string // printed form, "" for in
	}{
		{"text:sha256:1hplqns5w74iaq4ml938h1qy7f7rlr8jd7krwhf5i4w99dc98gba", contentaddress.ContentAddress{}, ""},
		{"text:" + sha.String(), contentaddress.ContentAddress{Method: contentaddress.Text, Hash: sha}, ""},
		{"fixed:" + sha1.String(), contentaddress.ContentAddress{Method: contentaddress.Flat, Hash: sha1}, ""},
		{"fixed:r:" + sha.String(), contentaddress.ContentAddress{Method: contentaddress.NAR, Hash: sha}, ""},
		{"fixed:git:" + sha1.String(), contentaddress.ContentAddress{Method: contentaddress.Git, Hash: sha1}, ""},
		// Other digest encodings are read; nix32 is printed.
		{"fixed:r:sha256:" + sha.Base16(), contentaddress.ContentAddress{Method: contentaddress.NAR, Hash: sha}, "fixed:r:" + sha.String()},
		{"fixed:sha1:" + sha1.Base64(), contentaddress.ContentAddress{Method: contentaddress.Flat, Hash: sha1}, "fixed:" + sha1.String()},
	}
	for _, c := range cases {
		got, err := contentaddress.Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if !c.want.IsZero() && got != c.want {
			t.Errorf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
		}
		out := c.out
		if out == "" {
			out = c.in
		}
		if got.String() != out {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, got, out)
		}
	}
	if (contentaddress.ContentAddress{}).String() != "" {
		t.Error("zero value does not print as the empty string")
	}
}

func TestParseRefuses(t *testing.T) {
	sha := nixhash.Sum(nixhash.SHA256, nil)
	for _, s := range []string{
		"", "text", "text:sha256", "text:sha1:" + nixhash.Sum(nixhash.SHA1, nil).Nix32(), "fixed:", "fixed:r:",
		"fixed:sha3:" + sha.Nix32(), "fixed:sha256:" + sha.Nix32()[1:], "source:sha256:" + sha.Nix32(),
		"fixed:r:sha256-" + sha.Base64(), "fixed:sha256:sha256:" + sha.Nix32(), "fixed:x:sha256:" + sha.Nix32(),
	} {
		if _, err := contentaddress.Parse(s); !errors.Is(err, contentaddress.ErrInvalid) {
			t.Errorf("Parse(%q) = %v, want ErrInvalid", s, err)
		}
	}
}

func TestMethod(t *testing.T) {
	for _, c := range []struct {
		s string
		m contentaddress.Method
		a nixhash.Algorithm
	}{
		{"text:sha256", contentaddress.Text, nixhash.SHA256},
		{"fixed:sha1", contentaddress.Flat, nixhash.SHA1},
		{"fixed:r:sha512", contentaddress.NAR, nixhash.SHA512},
		{"fixed:git:sha1", contentaddress.Git, nixhash.SHA1},
		{"fixed:md5", contentaddress.Flat, nixhash.MD5},
	} {
		m, a, err := contentaddress.ParseMethod(c.s)
		if err != nil || m != c.m || a != c.a {
			t.Errorf("ParseMethod(%q) = %v, %v, %v", c.s, m, a, err)
		}
		if got := contentaddress.FormatMethod(m, a); got != c.s {
			t.Errorf("FormatMethod = %q, want %q", got, c.s)
		}
	}
	for _, s := range []string{"text:sha1", "fixed", "fixed:r:", "fixed:sha256:", "nar:sha256"} {
		if _, _, err := contentaddress.ParseMethod(s); !errors.Is(err, contentaddress.ErrInvalid) {
			t.Errorf("ParseMethod(%q) = %v", s, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("fixed:r:sha256:1hplqns5w74iaq4ml938h1qy7f7rlr8jd7krwhf5i4w99dc98gba")
	f.Add("text:sha256:1hplqns5w74iaq4ml938h1qy7f7rlr8jd7krwhf5i4w99dc98gba")
	f.Add("fixed:git:sha1:" + nixhash.Sum(nixhash.SHA1, nil).Base16())
	f.Fuzz(func(t *testing.T, s string) {
		ca, err := contentaddress.Parse(s)
		if err != nil {
			if !errors.Is(err, contentaddress.ErrInvalid) {
				t.Fatalf("%v does not match ErrInvalid", err)
			}
			return
		}
		back, err := contentaddress.Parse(ca.String())
		if err != nil || back != ca {
			t.Fatalf("%q prints as %q, which parses to %v, %v", s, ca, back, err)
		}
	})
}
