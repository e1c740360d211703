package signature_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/signature"
	"github.com/nixwire/nixwire/storepath"
)

// testKey is a key made by `nix-store --generate-binary-cache-key
// nixwire-test-1` (Nix 2.8), kept so that signing store paths in the real
// stores is idempotent (ed25519 signatures are deterministic).
func testKey(t testing.TB) (signature.SecretKey, signature.PublicKey) {
	t.Helper()
	sec, err := os.ReadFile("testdata/nixwire-test-1.sec")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile("testdata/nixwire-test-1.pub")
	if err != nil {
		t.Fatal(err)
	}
	sk, err := signature.ParseSecretKey(string(sec))
	if err != nil {
		t.Fatal(err)
	}
	pk, err := signature.ParsePublicKey(string(pub))
	if err != nil {
		t.Fatal(err)
	}
	if sk.String() != string(sec) || pk.String() != string(pub) {
		t.Fatal("keys do not print back as the files")
	}
	return sk, pk
}

func mustPath(t testing.TB, s string) storepath.Path {
	t.Helper()
	p, err := storepath.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The fingerprint of the narinfo of `builtins.toFile "x" "${toFile "y" "a"} ${toFile "z" "b"}"`,
// as Nix builds it.
const (
	fpPath = "/nix/store/bjlbs54pzmkrw0k6aj5nh66pzdmvwqwr-x"
	fpHash = "sha256:04zx26bs3avsb3c04nk3fff6yy6p5a4q9dxj9l3366xncqnhfvf4"
	fpRefZ = "/nix/store/jhbjn1jhq029qa5r78vwg0rycnx773i8-z"
	fpRefY = "/nix/store/3ky72i08s0x795dwj6ghzqfd79vf2l9s-y"
	fpWant = "1;" + fpPath + ";" + fpHash + ";208;" + fpRefY + "," + fpRefZ
)

func TestFingerprint(t *testing.T) {
	h, _ := nixhash.Parse(fpHash)
	refs := []storepath.Path{mustPath(t, fpRefZ), mustPath(t, fpRefY), mustPath(t, fpRefZ)}
	fp, err := signature.Fingerprint(storepath.DefaultDir, mustPath(t, fpPath), h, 208, refs)
	if err != nil || string(fp) != fpWant {
		t.Fatalf("Fingerprint = %q, %v\nwant %q", fp, err, fpWant)
	}
	fp, _ = signature.Fingerprint(storepath.DefaultDir, mustPath(t, fpPath), h, 208, nil)
	if !strings.HasSuffix(string(fp), ";208;") {
		t.Fatalf("no references: %q", fp)
	}
	if _, err := signature.Fingerprint(storepath.DefaultDir, mustPath(t, fpPath), nixhash.Sum(nixhash.SHA1, nil), 208, nil); !errors.Is(err, signature.ErrInvalid) {
		t.Fatalf("sha1 NAR hash: %v", err)
	}
	if _, err := signature.Fingerprint(storepath.DefaultDir, mustPath(t, fpPath), h, 0, nil); !errors.Is(err, signature.ErrInvalid) {
		t.Fatalf("unknown NAR size: %v", err)
	}
}

func TestSignVerify(t *testing.T) {
	sk, pk := testKey(t)
	if !sk.Public().Key.Equal(pk.Key) || sk.Public().Name != pk.Name {
		t.Fatal("Public() differs from the public key file")
	}
	fp := []byte(fpWant)
	sig := sk.Sign(fp)
	parsed, err := signature.ParseSignature(sig.String())
	if err != nil || !pk.Verify(fp, parsed) {
		t.Fatalf("own signature does not verify: %v", err)
	}
	tampered := bytes.Replace(fp, []byte(";208;"), []byte(";209;"), 1)
	if pk.Verify(tampered, parsed) {
		t.Fatal("tampered fingerprint verifies")
	}
	other, _ := signature.GenerateKey("nixwire-test-1", nil)
	if other.Public().Verify(fp, parsed) {
		t.Fatal("another key of the same name verifies")
	}
	renamed := parsed
	renamed.KeyName = "other-1"
	if pk.Verify(fp, renamed) {
		t.Fatal("signature under another key name verifies")
	}
	sigs := []string{"garbage", other.Sign(fp).String(), sig.String(), sig.String()}
	if n := signature.Count([]signature.PublicKey{pk, other.Public()}, fp, sigs); n != 2 {
		t.Fatalf("Count = %d, want 2 (each key once)", n)
	}
}

// TestUnpaddedBase64: Nix reads keys and signatures whose base64 lacks
// its padding ("=" or "=="), as `nix store verify` and
// trusted-public-keys of Nix 2.8 and 2.26 do.
func TestUnpaddedBase64(t *testing.T) {
	sk, pk := testKey(t)
	fp := []byte(fpWant)
	unpad := func(s string) string { return strings.TrimRight(s, "=") }
	sig, err := signature.ParseSignature(unpad(sk.Sign(fp).String()))
	if err != nil {
		t.Fatal(err)
	}
	pk2, err := signature.ParsePublicKey(unpad(pk.String()))
	if err != nil || !pk2.Verify(fp, sig) {
		t.Fatalf("unpadded public key: %v", err)
	}
	sk2, err := signature.ParseSecretKey(unpad(sk.String()))
	if err != nil || !pk.Verify(fp, sk2.Sign(fp)) {
		t.Fatalf("unpadded secret key: %v", err)
	}
	if n := signature.Count([]signature.PublicKey{pk}, fp, []string{unpad(sig.String())}); n != 1 {
		t.Fatalf("Count of an unpadded signature = %d", n)
	}
}

func TestParseRefuses(t *testing.T) {
	sk, pk := testKey(t)
	for _, s := range []string{"", "name", ":" + pk.String()[len(pk.Name)+1:], pk.Name + ":", pk.Name + ":!!!", pk.Name + ":" + "AAAA", "a b:" + pk.String()[len(pk.Name)+1:]} {
		if _, err := signature.ParsePublicKey(s); !errors.Is(err, signature.ErrInvalid) {
			t.Errorf("ParsePublicKey(%q) = %v", s, err)
		}
		if _, err := signature.ParseSignature(s); !errors.Is(err, signature.ErrInvalid) {
			t.Errorf("ParseSignature(%q) = %v", s, err)
		}
	}
	// A secret key whose public half was altered.
	bad := append(ed25519.PrivateKey(nil), sk.Key...)
	bad[40] ^= 1
	_, err := signature.ParseSecretKey(signature.SecretKey{Name: "k", Key: bad}.String())
	if !errors.Is(err, signature.ErrInvalid) {
		t.Fatalf("inconsistent secret key: %v", err)
	}
	// Errors never quote secret key material.
	s := sk.String()
	_, err = signature.ParseSecretKey(s[:len(s)-4])
	if err == nil || strings.Contains(err.Error(), s[len(sk.Name)+1:len(sk.Name)+20]) {
		t.Fatalf("error %v quotes the key", err)
	}
	if _, err := signature.ParseSecretKey(s[len(sk.Name)+1:]); err == nil || strings.Contains(err.Error(), s[len(sk.Name)+1:len(sk.Name)+20]) {
		t.Fatalf("error %v quotes the key", err)
	}
}

func ExampleSecretKey_Sign() {
	sk, _ := signature.GenerateKey("cache.example.org-1", nil)
	h := nixhash.Sum(nixhash.SHA256, []byte("the NAR"))
	p, _ := storepath.Parse("/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo")
	fp, _ := signature.Fingerprint(storepath.DefaultDir, p, h, 7, nil)
	sig := sk.Sign(fp)
	fmt.Println(strings.HasPrefix(sig.String(), "cache.example.org-1:"), sk.Public().Verify(fp, sig))
	// Output: true true
}
