package storehandler_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/internal/nixtools"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/server/storehandler"
	"github.com/nixwire/nixwire/signature"
	"github.com/nixwire/nixwire/wire"
)

// nixEnv is one Nix installation with its real daemon on a socket and a
// nixwire store served beside it.
type nixEnv struct {
	t            *testing.T
	n            *nixtools.Nix
	ours, theirs string // unix://… store URIs
	dir          string
	nonce        string
}

func (e *nixEnv) run(store, exe string, args ...string) string {
	e.t.Helper()
	full := args
	if store != "" {
		full = append([]string{"--store", store}, args...)
	}
	if exe == e.n.Nix {
		full = append([]string{"--extra-experimental-features", "nix-command"}, full...)
	}
	return e.n.Run(e.t, exe, full...)
}

// both runs the command against the nixwire store and the real daemon and
// fails unless the outputs are equal after norm (nil: none).
func (e *nixEnv) both(norm func(string) string, exe string, args ...string) string {
	e.t.Helper()
	a, b := e.run(e.ours, exe, args...), e.run(e.theirs, exe, args...)
	if norm != nil {
		a, b = norm(a), norm(b)
	}
	if a != b {
		e.t.Errorf("%s %s:\nnixwire: %s\ndaemon:  %s", filepath.Base(exe), strings.Join(args, " "), a, b)
	}
	return a
}

// withNix runs f for Nix 2.8 and 2.26 (failing under CI=true if missing).
func withNix(t *testing.T, f func(e *nixEnv)) { withNixStore(t, nil, f) }

// withNixStore is withNix with the served handler configured by mod.
func withNixStore(t *testing.T, mod func(*storehandler.Handler), f func(e *nixEnv)) {
	for _, which := range []struct {
		name string
		find func() (*nixdaemon.Daemon, error)
	}{{"nix-2.8", nixdaemon.Legacy}, {"nix-2.26", nixdaemon.Modern}} {
		t.Run(which.name, func(t *testing.T) {
			d := nixdaemon.Require(t, which.find)
			n := nixtools.Require(t, which.find)
			sock := startDaemon(t, d)
			s := serve(t, mod)
			// Nix's clients read files from a unix:// store's real
			// directory themselves: point them at where each store keeps
			// its files.
			ours := "unix://" + s.sock + "?root=" + filepath.Join(s.dir, "root")
			theirs := "unix://" + sock
			if root := strings.TrimSuffix(d.RealStoreDir, "/nix/store"); root != "" && root != d.RealStoreDir {
				theirs += "?root=" + root
			}
			f(&nixEnv{t: t, n: n, ours: ours, theirs: theirs, dir: s.dir, nonce: fmt.Sprint(time.Now().UnixNano())})
		})
	}
}

// pathInfoJSON normalises `nix path-info --json`: Nix 2.8 prints a list,
// 2.26 an object keyed by path; registration times differ between stores.
func pathInfoJSON(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return "unparsable: " + s
	}
	strip := func(x any) {
		if m, ok := x.(map[string]any); ok {
			delete(m, "registrationTime")
		}
	}
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			strip(x)
		}
	case map[string]any:
		for _, x := range v {
			strip(x)
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// TestNixClients runs Nix's own C++ clients against nixwire's store and
// against the real daemon, and compares what they print.
func TestNixClients(t *testing.T) {
	withNix(t, func(e *nixEnv) {
		file := filepath.Join(e.dir, "file.txt")
		must(e.t, os.WriteFile(file, []byte("nixwire serve test "+e.nonce+"\n"), 0o644))
		tree := filepath.Join(e.dir, "tree")
		must(e.t, os.MkdirAll(filepath.Join(tree, "sub"), 0o755))
		must(e.t, os.WriteFile(filepath.Join(tree, "run"), []byte("#!/bin/sh\necho "+e.nonce+"\n"), 0o755))
		must(e.t, os.WriteFile(filepath.Join(tree, "sub", "data"), []byte(strings.Repeat("x", 100000)), 0o644))
		must(e.t, os.Symlink("sub/data", filepath.Join(tree, "link")))

		ns := e.n.NixStore
		p1 := e.both(nil, ns, "--add", file)
		p2 := e.both(nil, ns, "--add", tree)
		e.both(nil, ns, "--add-fixed", "sha256", file)
		e.both(nil, ns, "--add-fixed", "sha512", file)
		e.both(nil, ns, "--add-fixed", "sha1", file)
		e.both(nil, ns, "--add-fixed", "--recursive", "sha256", tree)
		e.both(nil, ns, "--add-fixed", "--recursive", "sha1", tree)

		// A text path that refers to p1 (AddTextToStore / AddToStore text).
		expr := fmt.Sprintf(`builtins.toFile "outer-%s" "refers to ${builtins.storePath %q}"`, e.nonce, p1)
		outer := e.both(nil, e.n.Nix, "eval", "--impure", "--raw", "--expr", expr)

		e.both(nil, ns, "-q", "--hash", p1)
		e.both(nil, ns, "-q", "--hash", p2)
		e.both(nil, ns, "-q", "--references", outer)
		e.both(nil, ns, "-q", "--referrers", p1)
		e.both(pathInfoJSON, e.n.Nix, "path-info", "--json", p1, p2)
		e.both(pathInfoJSON, e.n.Nix, "path-info", "--json", "--recursive", outer)
		// nix store dump-path goes through the store (NarFromPath); Nix's
		// nix-store --dump reads the file system, so 2.26 (with its
		// private store root) cannot use it on a daemon's paths.
		e.both(nil, e.n.Nix, "store", "dump-path", p2)
		if e.n.NixHash != "" {
			e.both(nil, ns, "--dump", p2)
		}
		e.both(nil, e.n.Nix, "store", "ls", "-lR", p2)
		e.both(nil, ns, "--verify-path", p1)
		e.both(nil, ns, "--verify-path", outer)

		// A permanent root through AddIndirectRoot, seen by FindRoots.
		for _, st := range []string{e.ours, e.theirs} {
			link := filepath.Join(e.dir, "root-"+strings.TrimPrefix(filepath.Base(st), "unix:"))
			e.run(st, ns, "-r", p1, "--add-root", link, "--indirect")
			roots := e.run(st, ns, "--gc", "--print-roots")
			if want := link + " -> " + p1; !strings.Contains(roots, want) {
				e.t.Errorf("--gc --print-roots on %s lacks %q:\n%s", st, want, roots)
			}
		}
	})
}

// TestNixCopy copies closures from the local store to nixwire's with `nix
// copy --to` and back with `--from`.
func TestNixCopy(t *testing.T) {
	withNix(t, func(e *nixEnv) {
		// A closure of two text paths in the installation's own store.
		expr := fmt.Sprintf(`builtins.toFile "top-%[1]s" "top ${builtins.toFile "leaf-%[1]s" "leaf"}"`, e.nonce)
		top := e.run("", e.n.Nix, "eval", "--raw", "--expr", expr)
		e.run("", e.n.Nix, "copy", "--to", e.ours, top)
		local := pathInfoJSON(e.run("", e.n.Nix, "path-info", "--json", "--recursive", top))
		served := pathInfoJSON(e.run(e.ours, e.n.Nix, "path-info", "--json", "--recursive", top))
		if local != served {
			e.t.Errorf("after nix copy --to:\nlocal:   %s\nnixwire: %s", local, served)
		}
		if a, b := e.run("", e.n.Nix, "store", "dump-path", top), e.run(e.ours, e.n.Nix, "store", "dump-path", top); a != b {
			e.t.Error("NARs differ after nix copy --to")
		}

		// A closure only nixwire's store has, copied into the local store.
		expr = fmt.Sprintf(`builtins.toFile "back-%[1]s" "back ${builtins.toFile "back-leaf-%[1]s" "leaf"}"`, e.nonce)
		back := e.run(e.ours, e.n.Nix, "eval", "--raw", "--expr", expr)
		e.run("", e.n.Nix, "copy", "--from", e.ours, back)
		local = pathInfoJSON(e.run("", e.n.Nix, "path-info", "--json", "--recursive", back))
		served = pathInfoJSON(e.run(e.ours, e.n.Nix, "path-info", "--json", "--recursive", back))
		if local != served || !strings.Contains(local, "back-leaf-") {
			e.t.Errorf("after nix copy --from:\nlocal:   %s\nnixwire: %s", local, served)
		}
		e.run("", e.n.NixStore, "--verify-path", back)
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestNixCopyRequireSigs copies into a store that requires signatures:
// an input-addressed path built locally is refused until it is signed by
// the trusted key; content-addressed paths need no signature.
func TestNixCopyRequireSigs(t *testing.T) {
	key, err := signature.GenerateKey("nixwire-test-1", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	withNixStore(t, func(h *storehandler.Handler) {
		h.RequireSigs = true
		h.TrustedKeys = []signature.PublicKey{key.Public()}
	}, func(e *nixEnv) {
		drvExpr := fmt.Sprintf(`derivation { name = "signed-%[1]s"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo %[1]s > $out" ]; }`, e.nonce)
		drv := e.run("", e.n.Nix, "eval", "--raw", "--impure", "--expr", "("+drvExpr+").drvPath")
		out := e.run("", e.n.Nix, "eval", "--raw", "--impure", "--expr", "("+drvExpr+").outPath")
		if e.n.NixInstantiate != "" {
			e.run("", e.n.NixStore, "--realise", drv)
		} else {
			e.run("", e.n.Nix, "build", "--no-link", drv+"^out")
		}
		if _, err := e.n.Try(e.n.Nix, "--extra-experimental-features", "nix-command", "copy", "--to", e.ours, out); err == nil || !strings.Contains(err.Error(), "lacks a valid signature") {
			e.t.Errorf("copy of an unsigned input-addressed path: %v", err)
		}
		keyFile := filepath.Join(e.dir, "key.sec")
		must(e.t, os.WriteFile(keyFile, []byte(key.String()), 0o600))
		e.run("", e.n.Nix, "store", "sign", "--key-file", keyFile, out)
		e.run("", e.n.Nix, "copy", "--to", e.ours, out)
		if got := e.run(e.ours, e.n.NixStore, "-q", "--hash", out); got != e.run("", e.n.NixStore, "-q", "--hash", out) {
			e.t.Errorf("hash of the copied signed path: %s", got)
		}
		if info := e.run(e.ours, e.n.Nix, "path-info", "--json", out); !strings.Contains(info, "nixwire-test-1:") {
			e.t.Errorf("signature not kept: %s", info)
		}

		caExpr := fmt.Sprintf(`builtins.toFile "ca-%[1]s" "${builtins.toFile "ca-leaf-%[1]s" "leaf"}"`, e.nonce)
		ca := e.run("", e.n.Nix, "eval", "--raw", "--expr", caExpr)
		e.run("", e.n.Nix, "copy", "--to", e.ours, ca)
	})
}

// TestNixRealiseBuiltDerivation: a derivation whose outputs the store has
// needs nothing built: `nix-store --realise DRV` prints its output, as
// against the real daemon, and QueryMissing finds nothing missing.
func TestNixRealiseBuiltDerivation(t *testing.T) {
	withNix(t, func(e *nixEnv) {
		drvExpr := fmt.Sprintf(`derivation { name = "built-%[1]s"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo %[1]s > $out" ]; }`, e.nonce)
		drv := e.run("", e.n.Nix, "eval", "--raw", "--impure", "--expr", "("+drvExpr+").drvPath")
		out := e.run("", e.n.Nix, "eval", "--raw", "--impure", "--expr", "("+drvExpr+").outPath")
		e.run("", e.n.NixStore, "--realise", drv)
		e.run("", e.n.Nix, "copy", "--derivation", "--to", e.ours, drv)
		e.run("", e.n.Nix, "copy", "--to", e.ours, out)
		if got := e.both(nil, e.n.NixStore, "--realise", drv); got != out {
			e.t.Errorf("nix-store --realise of a built derivation: %q, want %q", got, out)
		}
		c := dial(e.t, strings.TrimPrefix(strings.Split(e.ours, "?")[0], "unix://"), wire.V(1, 34))
		m, err := c.QueryMissing(ctxT(e.t), []messages.DerivedPath{messages.DerivedPath(drv + "!out")})
		if err != nil || len(m.Unknown)+len(m.WillBuild)+len(m.WillSubstitute) != 0 {
			e.t.Errorf("QueryMissing of a built derivation's output: %+v, %v", m, err)
		}
		outs, err := c.QueryDerivationOutputMap(ctxT(e.t), messages.StorePath(drv))
		if err != nil || outs["out"] != messages.StorePath(out) {
			e.t.Errorf("QueryDerivationOutputMap = %v, %v", outs, err)
		}
	})
}
