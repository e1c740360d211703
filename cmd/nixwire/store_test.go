package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/internal/nixtools"
	"github.com/nixwire/nixwire/messages"
)

// nixwireCLI runs the CLI in-process and returns stdout, stderr and the
// exit status.
func nixwireCLI(args ...string) (string, string, int) {
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

// mustCLI runs the CLI and fails the test unless it exits 0.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := nixwireCLI(args...)
	if code != 0 {
		t.Fatalf("nixwire %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// socketDaemon starts d on a unix socket for the test and returns the
// store URL.
func socketDaemon(t *testing.T, d *nixdaemon.Daemon) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "nwcli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock, stop, err := d.StartSocket(context.WithoutCancel(t.Context()), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	return "unix://" + sock
}

// storeFixture is a store with a few paths to look at: a file, a text
// file referring to it, and the tools of the same Nix.
type storeFixture struct {
	d    *nixdaemon.Daemon
	n    *nixtools.Nix
	url  string
	file string // added by nix-store --add
	text string // added through the client, refers to file
	// graph holds text paths whose order by name is not Nix's order:
	// graph[0] refers to all the others, graph[i] to graph[i+1:].
	graph  []string
	legacy bool
}

// eachStore runs f against Nix 2.8 and Nix 2.26, each behind a socket
// daemon (--store unix://), with Nix's own tools on the same store.
func eachStore(t *testing.T, f func(t *testing.T, s *storeFixture)) {
	for _, which := range []struct {
		name string
		find func() (*nixdaemon.Daemon, error)
	}{{"nix-2.8", nixdaemon.Legacy}, {"nix-2.26", nixdaemon.Modern}} {
		t.Run(which.name, func(t *testing.T) {
			d := nixdaemon.Require(t, which.find)
			s := &storeFixture{d: d, n: nixtools.Require(t, which.find), legacy: which.name == "nix-2.8"}
			s.url = socketDaemon(t, d)
			var err error
			if s.file, err = d.AddToStore(t.Context(), "nixwire-cli-file", []byte("nixwire CLI file\n")); err != nil {
				t.Fatal(err)
			}
			c, err := client.Dial(t.Context(), s.url, client.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			info, err := c.AddToStore(t.Context(), "nixwire-cli-text", client.MethodText, []messages.StorePath{messages.StorePath(s.file)}, false,
				strings.NewReader("refers to "+s.file+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			s.text = string(info.Path)
			// A chain of references among paths named in another order:
			// the paths' hash parts decide Nix's tie-breaks.
			var below []messages.StorePath
			for i := range 5 {
				body := fmt.Sprintf("nixwire order %d refers to %v\n", i, below)
				info, err := c.AddToStore(t.Context(), fmt.Sprintf("nixwire-order-%d", i), client.MethodText, below, false, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				below = append([]messages.StorePath{info.Path}, below...)
			}
			for _, p := range below {
				s.graph = append(s.graph, string(p))
			}
			f(t, s)
		})
	}
}

// nix2_26JSON is one value of Nix 2.26's `nix path-info --json` object.
type nix2_26JSON struct {
	CA               *string  `json:"ca"`
	ClosureSize      *uint64  `json:"closureSize"`
	Deriver          *string  `json:"deriver"`
	NarHash          string   `json:"narHash"`
	NarSize          uint64   `json:"narSize"`
	References       []string `json:"references"`
	RegistrationTime int64    `json:"registrationTime"`
	Signatures       []string `json:"signatures"`
	Ultimate         bool     `json:"ultimate"`
}

// as2_8 rewrites Nix 2.26's path-info JSON (an object keyed by path, every
// field present) into Nix 2.8's form, to compare it with ours.
func as2_8(t *testing.T, modern string) string {
	t.Helper()
	var m map[string]*nix2_26JSON
	if err := json.Unmarshal([]byte(modern), &m); err != nil {
		t.Fatalf("%v: %s", err, modern)
	}
	var paths []messages.StorePath
	for p := range m {
		paths = append(paths, messages.StorePath(p))
	}
	b := []byte{'['}
	for i, p := range sortPaths(paths) {
		if i > 0 {
			b = append(b, ',')
		}
		v := m[string(p)]
		if v == nil {
			b = appendPathInfoJSON(b, p, nil, nil)
			continue
		}
		info := &messages.ValidPathInfo{Path: p, NarHash: messages.NarHash(v.NarHash), NarSize: v.NarSize,
			RegistrationTime: v.RegistrationTime, Ultimate: v.Ultimate}
		for _, r := range v.References {
			info.References = append(info.References, messages.StorePath(r))
		}
		for _, s := range v.Signatures {
			info.Sigs = append(info.Sigs, messages.Signature(s))
		}
		if v.CA != nil {
			info.CA = messages.ContentAddress(*v.CA)
		}
		if v.Deriver != nil {
			info.Deriver = messages.StorePath(*v.Deriver)
		}
		b = appendPathInfoJSON(b, p, info, v.ClosureSize)
	}
	return string(append(b, ']'))
}

// TestStoreAgainstNix runs the store commands against both real daemons
// over --store unix:// and compares them with Nix's own CLIs on the same
// store.
func TestStoreAgainstNix(t *testing.T) {
	eachStore(t, func(t *testing.T, s *storeFixture) {
		gone := "/nix/store/00000000000000000000000000000000-nixwire-gone"
		t.Run("path-info json", func(t *testing.T) {
			for _, flags := range [][]string{{}, {"--closure-size"}, {"-r"}, {"-r", "-S"}} {
				args := append([]string{"--json"}, flags...)
				paths := []string{s.text, s.file}
				if len(flags) == 0 || flags[0] != "-r" {
					paths = append(paths, gone) // Nix 2.8 refuses -r of an invalid path
				}
				want := s.n.Run(t, s.n.Nix, slices.Concat([]string{"path-info"}, args, paths)...)
				if !s.legacy {
					want = as2_8(t, want)
				}
				got := mustCLI(t, slices.Concat([]string{"path-info", "--store", s.url}, args, paths)...)
				if got != want+"\n" {
					t.Errorf("path-info %v:\n got %s\nwant %s", args, got, want)
				}
			}
		})
		t.Run("path-info", func(t *testing.T) {
			cases := [][]string{{}, {"-s", "-S", "--sigs"}, {"-rsS"}}
			if s.legacy {
				cases = append(cases, []string{"-rsSh"}) // Nix 2.26 prints other units ("0.1 KiB")
			}
			for _, flags := range cases {
				paths := append([]string{s.text, s.file}, s.graph[1:]...)
				want := s.n.Run(t, s.n.Nix, slices.Concat([]string{"path-info"}, flags, paths)...)
				got := mustCLI(t, slices.Concat([]string{"path-info"}, paths, flags, []string{"--store", s.url})...)
				if got != want+"\n" {
					t.Errorf("path-info %v:\n got %q\nwant %q", flags, got, want)
				}
			}
			_, errOut, code := nixwireCLI("path-info", "--store", s.url, gone)
			if code != 1 || !strings.Contains(errOut, "path '"+gone+"' is not valid") {
				t.Errorf("path-info of an invalid path: exit %d, %q", code, errOut)
			}
		})
		t.Run("queries", func(t *testing.T) {
			for _, q := range []struct{ ours, nix string }{
				{"references", "--references"}, {"referrers", "--referrers"},
			} {
				for _, p := range []string{s.file, s.text, s.graph[0], s.graph[len(s.graph)-1]} {
					want := s.n.Run(t, s.n.NixStore, "-q", q.nix, p)
					got := mustCLI(t, q.ours, "--store", s.url, p)
					if strings.TrimSuffix(got, "\n") != want {
						t.Errorf("%s %s: got %q, want %q", q.ours, p, got, want)
					}
				}
			}
			if got := mustCLI(t, "query-valid", s.file, gone, s.text, "--store", s.url); got != sortedLines(s.file, s.text) {
				t.Errorf("query-valid: %q", got)
			}
			if got := mustCLI(t, "hash-part", "--store", s.url, strings.TrimPrefix(s.text, "/nix/store/")[:32]); got != s.text+"\n" {
				t.Errorf("hash-part: %q", got)
			}
			if _, errOut, code := nixwireCLI("hash-part", "--store", s.url, "00000000000000000000000000000000"); code != 1 || !strings.Contains(errOut, "no valid path") {
				t.Errorf("hash-part of nothing: exit %d %q", code, errOut)
			}
			if got := mustCLI(t, "missing", "--store", s.url, gone, s.file); got != "unknown "+gone+"\n" {
				t.Errorf("missing: %q", got)
			}
			mustCLI(t, "is-valid", "--store", s.url, s.file, s.text)
			if _, errOut, code := nixwireCLI("is-valid", "--store", s.url, s.file, gone); code != 1 || errOut != "path '"+gone+"' is not valid\n" {
				t.Errorf("is-valid: exit %d %q", code, errOut)
			}
		})
		t.Run("nar", func(t *testing.T) {
			for _, p := range []string{s.file, s.text} {
				want := s.n.Run(t, s.n.NixStore, "--dump", p)
				out, errOut, code := nixwireCLI("nar", "--progress", p, "--store", s.url)
				if code != 0 || out != want {
					t.Errorf("nar %s: exit %d (%s), %d bytes, want %d", p, code, errOut, len(out), len(want))
				}
				if !strings.Contains(errOut, baseName(messages.StorePath(p))) {
					t.Errorf("nar --progress drew %q", errOut)
				}
			}
		})
		t.Run("add", func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "nixwire-cli-added")
			if err := os.WriteFile(file, []byte("added by nixwire "+s.d.Name+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			tree := filepath.Join(dir, "nixwire-cli-tree")
			for _, f := range []string{"a/b/c", "x"} {
				os.MkdirAll(filepath.Join(tree, filepath.Dir(f)), 0o755)
				os.WriteFile(filepath.Join(tree, f), []byte(f), 0o644)
			}
			os.Symlink("a/b", filepath.Join(tree, "link"))
			got := mustCLI(t, "add", "--store", s.url, file, tree)
			want := s.n.Run(t, s.n.NixStore, "--add", file, tree)
			if got != want+"\n" {
				t.Errorf("add printed %q, nix-store --add %q", got, want)
			}
		})
		t.Run("gc-roots", func(t *testing.T) {
			link := filepath.Join(t.TempDir(), "nixwire-root")
			if err := os.Symlink(s.text, link); err != nil {
				t.Fatal(err)
			}
			c, err := client.Dial(t.Context(), s.url, client.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = c.AddIndirectRoot(t.Context(), link)
			c.Close()
			if err != nil {
				t.Fatal(err)
			}
			// Other tests may add and remove roots meanwhile: retry a few times.
			var got, want string
			for range 3 {
				want = s.n.Run(t, s.n.NixStore, "--gc", "--print-roots")
				got = strings.TrimSuffix(mustCLI(t, "gc-roots", "--store", s.url), "\n")
				if got == want {
					break
				}
			}
			if got != want || !strings.Contains(got, link+" -> "+s.text) {
				t.Errorf("gc-roots:\n%s\nnix-store --gc --print-roots:\n%s", got, want)
			}
		})
	})
}

// sortedLines returns the paths sorted, one a line.
func sortedLines(paths ...string) string {
	slices.Sort(paths)
	return strings.Join(paths, "\n") + "\n"
}

// TestBuildAndCopy builds a trivial derivation (and a failing one) with
// Nix 2.8, then copies the derivations to Nix 2.26's store with copy and
// builds them there.
func TestBuildAndCopy(t *testing.T) {
	legacy := nixtools.Require(t, nixtools.Legacy)
	oldURL := socketDaemon(t, nixdaemon.Require(t, nixdaemon.Legacy))
	modernTools := nixtools.Require(t, nixtools.Modern)
	newURL := socketDaemon(t, nixdaemon.Require(t, nixdaemon.Modern))
	stamp := time.Now().Format("20060102150405.000000000") // a fresh build each run
	instantiate := func(name, script string) string {
		dir := t.TempDir()
		file := filepath.Join(dir, name+".nix")
		expr := `builtins.derivation { name = "` + name + `"; system = builtins.currentSystem; builder = "/bin/sh"; args = ["-c" "` + script + `"]; stamp = "` + stamp + `"; }`
		if err := os.WriteFile(file, []byte(expr), 0o644); err != nil {
			t.Fatal(err)
		}
		return legacy.Run(t, legacy.NixInstantiate, file)
	}
	okDrv := instantiate("nixwire-cli-ok", `echo building-nixwire-ok; echo hi > $out`)

	// A closure of two paths (a text file referring to a file), copied
	// at 1.31, where copy falls back to AddToStoreNar path by path.
	c, err := client.Dial(t.Context(), oldURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	file, err := c.AddToStore(t.Context(), "nixwire-cli-copied", client.MethodNAR, nil, false, strings.NewReader(string(fileNAR(stamp))))
	if err == nil {
		_, err = c.AddToStore(t.Context(), "nixwire-cli-copied-text", client.MethodText, []messages.StorePath{file.Path}, false, strings.NewReader("see "+string(file.Path)))
	}
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	text := legacy.Run(t, legacy.NixStore, "-q", "--referrers", string(file.Path))
	mustCLI(t, "copy", text, "--from", oldURL, "--to", newURL, "--max-protocol", "1.31")
	for _, q := range []string{"--hash", "--references"} {
		if got, want := modernTools.Run(t, modernTools.NixStore, "-q", q, text), legacy.Run(t, legacy.NixStore, "-q", q, text); got != want {
			t.Errorf("copied %s: nix-store -q %s: %q in 2.26, %q in 2.8", text, q, got, want)
		}
	}
	failDrv := instantiate("nixwire-cli-fail", `echo failing-nixwire-log; exit 3`)

	for _, st := range []struct {
		name, url string
		tools     *nixtools.Nix
	}{{"nix-2.8", oldURL, legacy}, {"nix-2.26", newURL, modernTools}} {
		t.Run(st.name, func(t *testing.T) {
			if st.url == newURL {
				mustCLI(t, "copy", "--from", oldURL, "--to", newURL, okDrv, failDrv)
				// Again: everything is there, nothing to do.
				if out, errOut, code := nixwireCLI("copy", "-v", "--from", oldURL, "--to", newURL, okDrv, failDrv); code != 0 || out != "" || errOut != "" {
					t.Errorf("second copy: exit %d, %q, %q", code, out, errOut)
				}
				for _, drv := range []string{okDrv, failDrv} {
					if got := st.tools.Run(t, st.tools.NixStore, "-q", "--hash", drv); got != legacy.Run(t, legacy.NixStore, "-q", "--hash", drv) {
						t.Errorf("copied %s has hash %s", drv, got)
					}
				}
			}
			missingOut := mustCLI(t, "missing", "--store", st.url, okDrv+"!out")
			if missingOut != "build "+okDrv+"\n" {
				t.Errorf("missing: %q", missingOut)
			}
			out, errOut, code := nixwireCLI("build", "--store", st.url, okDrv+"!out")
			wantOut := st.tools.Run(t, st.tools.NixStore, "-q", "--outputs", okDrv)
			if code != 0 || out != wantOut+"\n" || !strings.Contains(errOut, "building-nixwire-ok\n") || !strings.Contains(errOut, "building '"+okDrv+"'...\n") {
				t.Errorf("build: exit %d, stdout %q (want %q), stderr %q", code, out, wantOut, errOut)
			}
			if got := mustCLI(t, "outputs", "--store", st.url, okDrv); got != "out "+wantOut+"\n" {
				t.Errorf("outputs: %q", got)
			}
			if got := st.tools.Run(t, st.tools.NixStore, "--dump", wantOut); got != mustCLI(t, "nar", "--store", st.url, wantOut) {
				t.Errorf("nar of the build output differs from nix-store --dump")
			}
			out, errOut, code = nixwireCLI("build", "--store", st.url, failDrv+"!*")
			if code != 1 || out != "" || !strings.Contains(errOut, "failing-nixwire-log\n") || !strings.Contains(errOut, "failed with exit code 3") {
				t.Errorf("failing build: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			// -v: the daemon's activities and results through log/slog.
			_, errOut, code = nixwireCLI("build", "-v", "--store", st.url, failDrv+"!*")
			for _, want := range []string{"type=Build ", "result=BuildLogLine", "msg=failing-nixwire-log"} {
				if code != 1 || !strings.Contains(errOut, want) {
					t.Errorf("build -v: exit %d, stderr lacks %q: %s", code, want, errOut)
				}
			}
		})
	}
}
