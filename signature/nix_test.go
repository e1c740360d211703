package signature_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/internal/nixtools"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/signature"
	"github.com/nixwire/nixwire/storepath"
)

// pathInfo is what `nix path-info --json --sigs` prints for one path.
type pathInfo struct {
	Path       string   `json:"path"`
	NarHash    string   `json:"narHash"`
	NarSize    uint64   `json:"narSize"`
	References []string `json:"references"`
	Signatures []string `json:"signatures"`
}

// queryInfo runs `nix path-info --json --sigs`: Nix 2.8 prints a list,
// 2.26 an object keyed by path.
func queryInfo(t *testing.T, n *nixtools.Nix, path string) pathInfo {
	t.Helper()
	out := n.Run(t, n.Nix, "path-info", "--json", "--sigs", path)
	var list []pathInfo
	if err := json.Unmarshal([]byte(out), &list); err == nil && len(list) == 1 {
		return list[0]
	}
	var m map[string]pathInfo
	if err := json.Unmarshal([]byte(out), &m); err != nil || len(m) != 1 {
		t.Fatalf("path-info printed %s: %v", out, err)
	}
	info := m[path]
	info.Path = path
	return info
}

func fingerprintOf(t *testing.T, info pathInfo) []byte {
	t.Helper()
	h, err := nixhash.Parse(info.NarHash)
	if err != nil {
		t.Fatal(err)
	}
	var refs []storepath.Path
	for _, r := range info.References {
		refs = append(refs, mustPath(t, r))
	}
	fp, err := signature.Fingerprint(storepath.DefaultDir, mustPath(t, info.Path), h, info.NarSize, refs)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// makePath adds a text path with two references to the store and returns
// it (fixed contents: reruns add nothing).
func makePath(t *testing.T, n *nixtools.Nix) string {
	return n.Run(t, n.Nix, "eval", "--raw", "--expr",
		`builtins.toFile "nixwire-signed" "${builtins.toFile "nixwire-sig-ref-b" "b"} ${builtins.toFile "nixwire-sig-ref-a" "a"}"`)
}

// TestNixKeys parses keys fresh from `nix-store --generate-binary-cache-key`.
func TestNixKeys(t *testing.T) {
	nixtools.Each(t, func(t *testing.T, n *nixtools.Nix) {
		dir := t.TempDir()
		sec, pub := filepath.Join(dir, "sec"), filepath.Join(dir, "pub")
		n.Run(t, n.NixStore, "--generate-binary-cache-key", "nixwire-gen-1", sec, pub)
		sb, _ := os.ReadFile(sec)
		pb, _ := os.ReadFile(pub)
		sk, err := signature.ParseSecretKey(string(sb))
		if err != nil {
			t.Fatal(err)
		}
		pk, err := signature.ParsePublicKey(string(pb))
		if err != nil {
			t.Fatal(err)
		}
		if sk.Name != "nixwire-gen-1" || !sk.Public().Key.Equal(pk.Key) || sk.String() != strings.TrimSpace(string(sb)) {
			t.Fatalf("keys: %q / %q", sk.Public(), pk)
		}
	})
}

// TestNixSignatureVerifies signs a path with `nix store sign` and checks
// the signature with this package; our own signature of the same
// fingerprint is byte for byte Nix's (ed25519 is deterministic).
func TestNixSignatureVerifies(t *testing.T) {
	sk, pk := testKey(t)
	nixtools.Each(t, func(t *testing.T, n *nixtools.Nix) {
		path := makePath(t, n)
		n.Run(t, n.Nix, "store", "sign", "--key-file", "testdata/nixwire-test-1.sec", path)
		info := queryInfo(t, n, path)
		if len(info.References) != 2 {
			t.Fatalf("references %v", info.References)
		}
		fp := fingerprintOf(t, info)
		var nixSig string
		for _, s := range info.Signatures {
			if strings.HasPrefix(s, pk.Name+":") {
				nixSig = s
			}
		}
		sig, err := signature.ParseSignature(nixSig)
		if err != nil {
			t.Fatalf("signatures %v: %v", info.Signatures, err)
		}
		if !pk.Verify(fp, sig) {
			t.Fatalf("Nix's signature %s of %q does not verify", nixSig, fp)
		}
		if ours := sk.Sign(fp).String(); ours != nixSig {
			t.Fatalf("our signature %s differs from Nix's %s", ours, nixSig)
		}
		info.NarSize++
		if pk.Verify(fingerprintOf(t, info), sig) {
			t.Fatal("tampered fingerprint verifies")
		}
	})
}

var sigLine = regexp.MustCompile(`(?m)^(Sig|CA): .*\n`)

// TestOurSignatureVerifiesInNix copies a path to a file:// binary cache,
// replaces its narinfo's signatures with one made here (by a key Nix has
// never seen) and drops its content address (which would make it trusted
// without a signature), and runs `nix store verify` with our public key.
func TestOurSignatureVerifiesInNix(t *testing.T) {
	sk, err := signature.GenerateKey("nixwire-go-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	nixtools.Each(t, func(t *testing.T, n *nixtools.Nix) {
		path := makePath(t, n)
		info := queryInfo(t, n, path)
		cache := t.TempDir()
		url := "file://" + cache
		n.Run(t, n.Nix, "copy", "--to", url, path)
		p := mustPath(t, path)
		narinfo := filepath.Join(cache, p.HashPart()+".narinfo")
		orig, err := os.ReadFile(narinfo)
		if err != nil {
			t.Fatal(err)
		}
		verify := func(sig signature.Signature) error {
			t.Helper()
			text := sigLine.ReplaceAllString(string(orig), "") + "Sig: " + sig.String() + "\n"
			if err := os.WriteFile(narinfo, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := n.Try(n.Nix, "store", "verify", "--store", url, "--trusted-public-keys", sk.Public().String(), path)
			return err
		}
		fp := fingerprintOf(t, info)
		if err := verify(sk.Sign(fp)); err != nil {
			t.Fatalf("nix store verify refuses our signature of %q: %v", fp, err)
		}
		info.References = info.References[:1]
		if err := verify(sk.Sign(fingerprintOf(t, info))); err == nil || !strings.Contains(err.Error(), "untrusted") {
			t.Fatalf("nix store verify accepts a signature of a tampered fingerprint: %v", err)
		}
	})
}
