package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/wire"
)

const (
	validPath   = "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello"
	invalidPath = "/nix/store/00000000000000000000000000000000-gone"
)

// fakeNAR is the NAR the fake daemon serves for validPath.
func fakeNAR() []byte { return fileNAR("hi\n") }

// fileNAR returns the NAR of a regular file.
func fileNAR(contents string) []byte { return nar.FileNAR(false, []byte(contents)) }

// fakeDaemon is a daemon that knows validPath and has two valid paths.
func fakeDaemon() *clienttest.Daemon {
	info := messages.UnkeyedValidPathInfo{
		Deriver:          "/nix/store/h1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello.drv",
		NarHash:          "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13",
		References:       []messages.StorePath{"/nix/store/a1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-glibc", validPath},
		RegistrationTime: 1700000000,
		NarSize:          112,
		Ultimate:         true,
		Sigs:             []messages.Signature{"cache.example.org-1:c2lnbmF0dXJl"},
	}
	return &clienttest.Daemon{
		NixVersion: "2.26.3",
		Trusted:    messages.TrustedFlagNotTrusted,
		Features:   []string{"some-feature"},
		Handlers: map[messages.WorkerOpCode]clienttest.Handler{
			messages.OpQueryAllValidPaths: func(op *clienttest.Op) error {
				op.Last()
				return op.Reply(&messages.QueryAllValidPathsReply{Paths: []messages.StorePath{validPath, info.References[0]}})
			},
			messages.OpQueryPathInfo: pathInfoHandler(func(p messages.StorePath) *messages.UnkeyedValidPathInfo {
				if p == validPath {
					return &info
				}
				return nil
			}),
			messages.OpNarFromPath: func(op *clienttest.Op) error {
				var req messages.NarFromPathRequest
				if err := op.Decode(&req); err != nil {
					return err
				}
				if req.Path != validPath {
					f := clienttest.ErrorFrame("path '"+string(req.Path)+"' is not valid", op.Proto)
					op.Send(f, f)
					op.W.Flush()
					return errors.New("hang up")
				}
				op.Send(&messages.StderrLast{})
				op.W.Write(fakeNAR())
				return op.W.Flush()
			},
		},
	}
}

// pathInfoHandler answers QueryPathInfo with what info returns for the
// path (nil: not valid).
func pathInfoHandler(info func(messages.StorePath) *messages.UnkeyedValidPathInfo) clienttest.Handler {
	return func(op *clienttest.Op) error {
		var req messages.QueryPathInfoRequest
		if err := op.Decode(&req); err != nil {
			return err
		}
		op.Last()
		return op.Reply(&messages.QueryPathInfoReply{Info: info(req.Path)})
	}
}

// serveFake listens on a unix socket and serves every connection with d.
func serveFake(t *testing.T, d *clienttest.Daemon) string {
	dir, err := os.MkdirTemp("", "nw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				d.Serve(c)
				c.Close()
			}()
		}
	}()
	return sock
}

func TestRun(t *testing.T) {
	sock := serveFake(t, fakeDaemon())
	// ./result-like links to a path whose files are not on this machine.
	links := t.TempDir()
	os.Symlink(validPath+"/bin/hello", filepath.Join(links, "result"))
	os.Symlink("result", filepath.Join(links, "result2"))
	cases := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantOut    string // exact, unless wantOutSub
		wantOutSub bool
		wantErr    string // substring of stderr
	}{
		{"no args", nil, "", 2, "", false, "usage: nixwire"},
		{"help", []string{"help"}, "", 0, "usage: nixwire", true, ""},
		{"unknown", []string{"frob"}, "", 2, "", false, `unknown command "frob"`},
		{"demo", []string{"demo"}, "", 0, "decoded: magic=0x6e697863", true, ""},
		{"packets", []string{"packets"}, string(wire.AppendString(nil, "hi")), 0, "2\t\"hi\"\n", false, ""},
		{"packets bad flag", []string{"packets", "-max"}, "", 2, "", false, "flag needs an argument"},
		{"info", []string{"info", "-socket", sock}, "", 0,
			"protocol: 1.38\ndaemon protocol: 1.38\ndaemon version: 2.26.3\ntrusted: NotTrusted\nfeatures: (none)\nvalid paths: 2\n", false, ""},
		{"info extra arg", []string{"info", "-socket", sock, "x"}, "", 2, "", false, "takes no arguments"},
		{"info both flags", []string{"info", "-socket", sock, "-stdio", "nix-daemon --stdio"}, "", 2, "", false, "exclude each other"},
		{"info empty stdio", []string{"info", "-stdio", " "}, "", 2, "", false, "-stdio needs a command"},
		{"info no socket", []string{"info", "-socket", filepath.Join(t.TempDir(), "none")}, "", 1, "", false, "no such file"},
		{"info bad command", []string{"info", "-stdio", "/nonexistent/nix-daemon --stdio"}, "", 1, "", false, "no such file"},
		{"path-info --long", []string{"path-info", "-socket", sock, validPath, "--long"}, "", 0,
			"path: " + validPath + "\n" +
				"deriver: /nix/store/h1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello.drv\n" +
				"nar-hash: sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw\n" +
				"nar-size: 112\n" +
				"reference: /nix/store/a1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-glibc\n" +
				"reference: " + validPath + "\n" +
				"registration-time: 2023-11-14T22:13:20Z\n" +
				"ultimate: true\n" +
				"signature: cache.example.org-1:c2lnbmF0dXJl\n" +
				"ca: (none)\n", false, ""},
		{"path-info", []string{"path-info", "--store", "unix://" + sock, validPath}, "", 0, validPath + "\n", false, ""},
		{"path-info through links", []string{"path-info", "-socket", sock, filepath.Join(links, "result2")}, "", 0, validPath + "\n", false, ""},
		{"path-info twice", []string{"path-info", validPath, "-socket", sock, validPath}, "", 0, validPath + "\n", false, ""},
		{"path-info sizes", []string{"path-info", "-s", validPath, "--sigs", "-socket", sock}, "", 0,
			validPath + "\t        112\tultimate cache.example.org-1:c2lnbmF0dXJl\n", false, ""},
		{"path-info human", []string{"path-info", "-sh", validPath, "-socket", sock}, "", 0, validPath + "\t 112.0 \n", false, ""},
		{"path-info json", []string{"path-info", "--json", "--store=unix://" + sock, validPath, invalidPath}, "", 0,
			`[{"path":"` + invalidPath + `","valid":false},{"path":"` + validPath + `","narHash":"sha256-HDfQGvQL4ugGkd48w99EN3ppmvuxfGjwgJZLL9Bx/BM=","narSize":112,` +
				`"references":["/nix/store/a1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-glibc","` + validPath + `"],"deriver":"/nix/store/h1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello.drv",` +
				`"registrationTime":1700000000,"ultimate":true,"signatures":["cache.example.org-1:c2lnbmF0dXJl"]}]` + "\n", false, ""},
		{"path-info recursive invalid reference", []string{"path-info", "-rS", "-socket", sock, validPath}, "", 1, "", false, "a1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-glibc' is not valid"},
		{"path-info after --", []string{"path-info", "-socket", sock, "--", "--json"}, "", 1, "", false, `"--json" is not a store path`},
		{"path-info --long invalid", []string{"path-info", "--long", "-socket", sock, invalidPath, validPath}, "", 1, "path: " + validPath, true, invalidPath + " is not valid"},
		{"path-info invalid", []string{"path-info", "-socket", sock, invalidPath, validPath}, "", 1, "", false, "path '" + invalidPath + "' is not valid"},
		{"path-info no path", []string{"path-info", "-socket", sock}, "", 2, "", false, "needs at least one argument"},
		{"path-info bad path", []string{"path-info", "-socket", sock, "relative"}, "", 1, "", false, "is not a store path"},
		{"path-info json and long", []string{"path-info", "-socket", sock, "--json", "--long", validPath}, "", 2, "", false, "exclude each other"},
		{"path-info bad store", []string{"path-info", "--store", "http://x", validPath}, "", 2, "", false, "unusable store URL"},
		{"path-info unknown flag", []string{"path-info", validPath, "--frob"}, "", 2, "", false, "nixwire path-info: flag provided but not defined: -frob (see 'nixwire help path-info')\n"},
		{"path-info help", []string{"path-info", "--help"}, "", 0, "usage: nixwire path-info", true, ""},
		{"help path-info", []string{"help", "path-info"}, "", 0, "-closure-size", true, ""},
		{"is-valid", []string{"is-valid", "-socket", sock, validPath, invalidPath}, "", 1, "", false, "path '" + invalidPath + "' is not valid\n"},
		{"is-valid ok", []string{"is-valid", "-socket", sock, validPath}, "", 0, "", false, ""},
		{"timeout", []string{"info", "-socket", sock, "--timeout", "1ns"}, "", 1, "", false, "timed out after 1ns (--timeout)"},
		{"negative timeout", []string{"info", "-socket", sock, "--timeout", "-1s"}, "", 2, "", false, "--timeout -1s: want a positive duration"},
		{"trace max-queue 0", []string{"trace", "--socket", sock + ".t", "--max-queue", "0"}, "", 2, "", false, "--max-queue 0: want a positive number"},
		{"nar", []string{"nar", "-socket", sock, validPath}, "", 0, string(fakeNAR()), false, ""},
		{"nar invalid", []string{"nar", "-socket", sock, invalidPath}, "", 1, "", false, "is not valid"},
		{"nar two paths", []string{"nar", "-socket", sock, validPath, validPath}, "", 2, "", false, "takes exactly one argument"},
		{"nar bad flag", []string{"nar", "-sock", sock, validPath}, "", 2, "", false, "flag provided but not defined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.wantCode, stderr.String())
			}
			out := stdout.String()
			if tc.wantOutSub && !strings.Contains(out, tc.wantOut) || !tc.wantOutSub && out != tc.wantOut {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tc.wantOut)
			}
			if !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tc.wantErr)
			}
		})
	}
}

// TestRunRealDaemon runs the daemon commands against the real daemons:
// Nix 2.8 through the default `nix-daemon --stdio`, Nix 2.26 with -stdio.
func TestRunRealDaemon(t *testing.T) {
	cases := []struct {
		name  string
		which func() (*nixdaemon.Daemon, error)
		flags func(d *nixdaemon.Daemon) []string
		proto string
	}{
		{"nix-2.8", nixdaemon.Legacy, func(*nixdaemon.Daemon) []string { return nil }, "1.34"},
		{"nix-2.26", nixdaemon.Modern, func(d *nixdaemon.Daemon) []string { return []string{"-stdio", d.Path + " --stdio"} }, "1.38"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := nixdaemon.Require(t, tc.which)
			if tc.name == "nix-2.8" {
				t.Setenv("PATH", filepath.Dir(d.Path)+string(os.PathListSeparator)+os.Getenv("PATH"))
			}
			const contents = "nixwire CLI test\n"
			path, err := d.AddToStore(t.Context(), "nixwire-cli", []byte(contents))
			if err != nil {
				t.Fatalf("nix-store --add: %v", err)
			}
			cmd := func(name string, args ...string) string {
				t.Helper()
				var stdout, stderr bytes.Buffer
				argv := append(append([]string{name}, tc.flags(d)...), args...)
				if code := run(argv, nil, &stdout, &stderr); code != 0 {
					t.Fatalf("nixwire %s: exit %d: %s", strings.Join(argv, " "), code, stderr.String())
				}
				return stdout.String()
			}
			out := cmd("info")
			for _, want := range []string{"protocol: " + tc.proto + "\n", "daemon version: " + d.Version + "\n", "valid paths: "} {
				if !strings.Contains(out, want) {
					t.Errorf("info printed:\n%s\nwant %q", out, want)
				}
			}
			want := fileNAR(contents)
			out = cmd("path-info", "--long", path)
			if !strings.Contains(out, "path: "+path+"\n") || !strings.Contains(out, "nar-size: "+strconv.Itoa(len(want))+"\n") || !strings.Contains(out, "ca: fixed:r:sha256:") ||
				!strings.Contains(out, "nar-hash: "+nixhash.Sum(nixhash.SHA256, want).String()+"\n") {
				t.Errorf("path-info printed:\n%s", out)
			}
			out = cmd("nar", path)
			if out != string(want) {
				t.Errorf("nar printed %q, want %q", out, want)
			}
		})
	}
}
