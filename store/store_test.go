package store

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nixhash"
)

func TestSplitPath(t *testing.T) {
	const h = "g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q"
	good := map[string]string{
		"/nix/store/" + h + "-hello-2.12":                  "hello-2.12",
		"/nix/store/" + h + "-a+b=c?d_e.f":                 "a+b=c?d_e.f",
		"/nix/store/" + h + "-" + strings.Repeat("x", 211): strings.Repeat("x", 211),
	}
	for p, name := range good {
		hp, n, err := SplitPath(DefaultStoreDir, messages.StorePath(p))
		if err != nil || hp != h || n != name {
			t.Errorf("SplitPath(%q) = %q, %q, %v", p, hp, n, err)
		}
	}
	for _, p := range []string{
		"", "/nix/store", "/nix/store/", "/nix/store/" + h, "/nix/store/" + h + "-",
		"/nix/storex/" + h + "-a", "/gnu/store/" + h + "-a", "/nix/store/" + strings.ToUpper(h) + "-a",
		"/nix/store/" + h + "-a b", "/nix/store/" + h + "-..", "/nix/store/" + h + "-a/b",
		"/nix/store/" + h + "-" + strings.Repeat("x", 212), "/nix/store/" + h + "_a",
	} {
		_, _, err := SplitPath(DefaultStoreDir, messages.StorePath(p))
		var pe *PathError
		if !errors.Is(err, ErrBadPath) || !errors.As(err, &pe) {
			t.Errorf("SplitPath(%q) = %v; want a *PathError matching ErrBadPath", p, err)
		}
	}
}

func TestParseNarHash(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	hexed := FormatNarHash(sum)
	nix32 := messages.NarHash(nixhash.Sum(nixhash.SHA256, []byte("x")).String())
	for _, h := range []messages.NarHash{hexed, "sha256:" + hexed, messages.NarHash("sha256-" + base64.StdEncoding.EncodeToString(sum[:])), nix32} {
		got, err := ParseNarHash(h)
		if err != nil || got != sum {
			t.Errorf("ParseNarHash(%q) = %x, %v", h, got, err)
		}
	}
	for _, h := range []messages.NarHash{"", "sha256:", hexed[:63], hexed + "0", "sha256-AAAA", "md5:" + hexed, "sha256:" + hexed[:62] + "zz",
		"sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5e"} {
		if _, err := ParseNarHash(h); !errors.Is(err, ErrBadHash) {
			t.Errorf("ParseNarHash(%q) = %v; want ErrBadHash", h, err)
		}
	}
}

func TestUnkeyed(t *testing.T) {
	info := &messages.ValidPathInfo{
		Path: "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-a", Deriver: "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-a.drv",
		NarHash: "ab", References: []messages.StorePath{"/r"}, RegistrationTime: 5, NarSize: 6, Ultimate: true,
		Sigs: []messages.Signature{"k:s"}, CA: "text:sha256:x",
	}
	u := Unkeyed(info)
	if u.Deriver != info.Deriver || u.NarHash != info.NarHash || len(u.References) != 1 || u.RegistrationTime != 5 ||
		u.NarSize != 6 || !u.Ultimate || len(u.Sigs) != 1 || u.CA != info.CA {
		t.Errorf("Unkeyed = %+v", u)
	}
}

func TestPathErrorShape(t *testing.T) {
	err := &PathError{Op: "AddPath", Path: "/nix/store/x", Err: Reason(ErrHashMismatch, "declared a, got b")}
	if got, want := err.Error(), "store: AddPath /nix/store/x: store: NAR hash mismatch: declared a, got b"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	if !errors.Is(err, ErrHashMismatch) || errors.Is(err, ErrSizeMismatch) {
		t.Error("errors.Is does not see the sentinel alone")
	}
	long := strings.Repeat("y", 1000)
	if _, _, err := SplitPath(DefaultStoreDir, messages.StorePath(long)); len(err.Error()) > 400 {
		t.Errorf("the error of a 1000-byte path is %d bytes long; want it shortened", len(err.Error()))
	}
}

func TestCheckInfo(t *testing.T) {
	sum := sha256.Sum256(nil)
	ok := &messages.ValidPathInfo{Path: "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-a", NarHash: FormatNarHash(sum)}
	if got, err := CheckInfo(DefaultStoreDir, ok); err != nil || got != sum {
		t.Errorf("CheckInfo = %x, %v", got, err)
	}
	bad := *ok
	bad.References = []messages.StorePath{"/tmp/x"}
	if _, err := CheckInfo(DefaultStoreDir, &bad); !errors.Is(err, ErrBadPath) || !strings.Contains(err.Error(), "reference /tmp/x") {
		t.Errorf("CheckInfo with a bad reference: %v", err)
	}
}
