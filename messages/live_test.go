package messages

// Live checks against the real daemons installed by scripts/install-nix.sh:
// Nix 2.8 (protocol 1.34) and Nix 2.26 (1.38). Every message and every
// STDERR frame is encoded and decoded with the generated types. Without the
// daemons the tests skip; under CI=true they fail (nixdaemon.Require).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/wire"
)

var liveDaemons = []struct {
	name  string
	which func() (*nixdaemon.Daemon, error)
	// client is the version announced; features are offered at ≥1.38.
	client   wire.Version
	features []string
	// wantInfo is what the daemon sends after the handshake.
	wantInfo ClientHandshakeInfo
}{
	{"legacy", nixdaemon.Legacy, wire.V(1, 34), nil, ClientHandshakeInfo{DaemonVersion: "2.8.0"}},
	{"modern", nixdaemon.Modern, wire.V(1, 38), []string{FeatureDeleteDeadSpecificReferrers, FeatureRealisationWithPathNotHash},
		ClientHandshakeInfo{DaemonVersion: "2.26.3", Trusted: TrustedFlagTrusted}},
}

// liveSettings are the SetOptions a test sends (what a Nix client sends,
// minus the machine-dependent BuildCores).
var liveSettings = ClientSettings{
	Verbosity: VerbosityError, MaxBuildJobs: 1, UseBuildHook: 1, VerboseBuild: VerbosityVomit,
	BuildCores: 1, Overrides: []Setting{{Name: "substituters", Value: ""}},
}

// liveDrv is a derivation in ATerm form; liveDrvOut is the output path Nix
// computes for it (daemons refuse a .drv whose output path is wrong).
// QueryDerivationOutputMap only reads it.
const (
	liveDrvOut = "/nix/store/ww9idcq38y28f8jggldy3hpxpcvjn2hn-nixwire-live"
	liveDrv    = `Derive([("out","` + liveDrvOut + `","","")],[],[],"x86_64-linux","/bin/sh",["-c","echo > $out"],[("out","` + liveDrvOut + `")])`
)

func TestLiveWorker(t *testing.T) {
	for _, ld := range liveDaemons {
		t.Run(ld.name, func(t *testing.T) {
			t.Parallel()
			d := nixdaemon.Require(t, ld.which)
			ctx := context.Background()
			content := "nixwire live test " + ld.name + "\n"
			path, err := d.AddToStore(ctx, "nixwire-live", []byte(content))
			if err != nil {
				t.Fatal(err)
			}
			P := StorePath(path)

			c := dialDaemon(t, d, handshake{client: ld.client, features: ld.features, settings: &liveSettings})
			if got := wire.Version(c.server.Version); got != wire.Version(d.Protocol) {
				t.Errorf("daemon version %v, want %v", got, wire.Version(d.Protocol))
			}
			if c.p.Version != ld.client || c.p.Features.Len() != 0 {
				t.Errorf("negotiated %v, want %v without features (the daemons know none of ours)", c.p, ld.client)
			}
			if c.info != ld.wantInfo {
				t.Errorf("handshake info %+v, want %+v", c.info, ld.wantInfo)
			}
			// A temporary root first, so that no garbage collection run by
			// another test deletes the path meanwhile.
			c.call(OpAddTempRoot, &AddTempRootRequest{Path: P}, &Ack{})

			t.Run("IsValidPath", func(t *testing.T) {
				c := c.withT(t)
				for p, want := range map[StorePath]bool{P: true, recMissing: false} {
					var r IsValidPathReply
					c.call(OpIsValidPath, &IsValidPathRequest{Path: p}, &r)
					if r.Valid != want {
						t.Errorf("IsValidPath(%s) = %v, want %v", p, r.Valid, want)
					}
				}
			})

			t.Run("QueryPathInfo", func(t *testing.T) {
				c := c.withT(t)
				var r QueryPathInfoReply
				c.call(OpQueryPathInfo, &QueryPathInfoRequest{Path: P}, &r)
				nar := narRegular(content)
				h := sha256.Sum256(nar)
				switch {
				case r.Info == nil:
					t.Fatalf("QueryPathInfo(%s): not valid", P)
				case r.Info.NarHash != NarHash(hex.EncodeToString(h[:])):
					t.Errorf("NarHash %s, want the base16 sha256 of the NAR %x", r.Info.NarHash, h)
				case r.Info.NarSize != uint64(len(nar)):
					t.Errorf("NarSize %d, want %d", r.Info.NarSize, len(nar))
				case len(r.Info.References) != 0 || r.Info.Deriver != "":
					t.Errorf("references %v, deriver %q: want none", r.Info.References, r.Info.Deriver)
				case !strings.HasPrefix(string(r.Info.CA), "fixed:r:sha256:"):
					t.Errorf("CA %q: want the NAR hash nix-store --add records", r.Info.CA)
				case r.Info.RegistrationTime == 0:
					t.Errorf("RegistrationTime 0")
				}
				r = QueryPathInfoReply{}
				c.call(OpQueryPathInfo, &QueryPathInfoRequest{Path: recMissing}, &r)
				if r.Info != nil {
					t.Errorf("QueryPathInfo(missing) = %+v, want none", r.Info)
				}
			})

			t.Run("QueryValidPaths", func(t *testing.T) {
				c := c.withT(t)
				var r QueryValidPathsReply
				c.call(OpQueryValidPaths, &QueryValidPathsRequest{Paths: []StorePath{recMissing, P}}, &r)
				if !slices.Equal(r.Valid, []StorePath{P}) {
					t.Errorf("QueryValidPaths = %v, want [%s]", r.Valid, P)
				}
			})

			t.Run("QueryMissing", func(t *testing.T) {
				c := c.withT(t)
				var r Missing
				c.call(OpQueryMissing, &QueryMissingRequest{Targets: []DerivedPath{DerivedPath(P), recMissing}}, &r)
				if !slices.Equal(r.Unknown, []StorePath{recMissing}) || len(r.WillBuild)+len(r.WillSubstitute) != 0 {
					t.Errorf("QueryMissing = %+v, want only %s unknown", r, recMissing)
				}
			})

			t.Run("QueryDerivationOutputMap", func(t *testing.T) {
				c := c.withT(t)
				var added AddTextToStoreReply
				c.call(OpAddTextToStore, &AddTextToStoreRequest{Name: "nixwire-live.drv", Text: []byte(liveDrv)}, &added)
				if !strings.HasSuffix(string(added.Path), "-nixwire-live.drv") {
					t.Fatalf("AddTextToStore = %s", added.Path)
				}
				var r QueryDerivationOutputMapReply
				c.call(OpQueryDerivationOutputMap, &QueryDerivationOutputMapRequest{DrvPath: added.Path}, &r)
				if len(r.Outputs) != 1 || r.Outputs["out"] != liveDrvOut {
					t.Errorf("QueryDerivationOutputMap = %v, want out → %s", r.Outputs, liveDrvOut)
				}
			})

			t.Run("GC roots", func(t *testing.T) {
				c := c.withT(t)
				var live GCResults
				c.call(OpCollectGarbage, &GCOptions{Action: GCActionReturnLive, MaxFreed: math.MaxUint64}, &live)
				if !slices.Contains(live.Paths, string(P)) || live.BytesFreed != 0 {
					t.Errorf("CollectGarbage(ReturnLive): %d paths, %d bytes freed; want %s among them and 0 freed", len(live.Paths), live.BytesFreed, P)
				}
				var roots FindRootsReply
				c.call(OpFindRoots, nil, &roots)
				found := false
				for _, r := range roots.Roots {
					found = found || (r.Path == P && strings.HasPrefix(r.Link, "{temp:"))
				}
				if !found {
					t.Errorf("FindRoots: no temporary root for %s among %d roots", P, len(roots.Roots))
				}
			})

			t.Run("errors", func(t *testing.T) {
				c := c.withT(t)
				// After the daemon started work: one STDERR_ERROR, and the
				// connection stays usable.
				c.op(OpBuildPaths, &BuildPathsRequest{Targets: []DerivedPath{recMissing}, Mode: BuildModeNormal})
				if _, e := c.session(); e == nil || !strings.Contains(e.Message, recMissing) || e.Level != VerbosityError {
					t.Errorf("BuildPaths(missing): error %+v, want one naming the path", e)
				}
				var r IsValidPathReply
				c.call(OpIsValidPath, &IsValidPathRequest{Path: P}, &r)
				if !r.Valid {
					t.Errorf("IsValidPath after an error: false")
				}
				// While parsing the request: twice, then a hang-up.
				c.op(OpIsValidPath, &IsValidPathRequest{Path: "/nix/store/invalid-path"})
				for i := range 2 {
					if _, e := c.session(); e == nil || !strings.Contains(e.Message, "invalid-path") {
						t.Fatalf("IsValidPath(invalid) error %d: %+v", i, e)
					}
				}
				c.expectHangup()
			})
		})
	}
}

// TestLiveLegacyErrorFormat checks the <1.26 error format against Nix 2.8
// announcing 1.25.
func TestLiveLegacyErrorFormat(t *testing.T) {
	t.Parallel()
	d := nixdaemon.Require(t, nixdaemon.Legacy)
	c := dialDaemon(t, d, handshake{client: wire.V(1, 25), settings: &liveSettings})
	c.op(OpBuildPaths, &BuildPathsRequest{Targets: []DerivedPath{recMissing}})
	_, e := c.session()
	if e == nil || e.Status != 1 || !strings.Contains(e.Message, "error:") || e.Name != "" || e.Level != 0 {
		t.Fatalf("legacy error %+v: want a rendered message and status 1", e)
	}
}

// TestLiveServe speaks the serve protocol to `nix-store --serve --write` of
// both Nix versions, at 2.5 and at the newest version.
func TestLiveServe(t *testing.T) {
	for _, ld := range liveDaemons {
		t.Run(ld.name, func(t *testing.T) {
			t.Parallel()
			d := nixdaemon.Require(t, ld.which)
			content := "nixwire live serve " + ld.name + "\n"
			path, err := d.AddToStore(context.Background(), "nixwire-serve", []byte(content))
			if err != nil {
				t.Fatal(err)
			}
			P := StorePath(path)
			for _, v := range []wire.Version{wire.V(2, 5), wire.V(2, 8)} {
				t.Run(v.String(), func(t *testing.T) { liveServe(t, d, v, P, content) })
			}
		})
	}
}

func liveServe(t *testing.T, d *nixdaemon.Daemon, client wire.Version, P StorePath, content string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.NixStore, "--serve", "--write")
	cmd.Env = append(os.Environ(), d.Env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		in.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("nix-store --serve: %v\n%s", err, stderr.String())
		}
	}()
	r, w := wire.NewReader(out), wire.NewWriter(in)
	p := wire.Proto{Version: client}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%v\nstderr: %s", err, stderr.String())
		}
	}
	send := func(code ServeOpCode, req wire.Message) {
		t.Helper()
		must(w.Uint64(uint64(code)))
		must(req.EncodeWire(w, p))
		must(w.Flush())
	}
	must((&ServeClientHello{}).EncodeWire(w, p))
	must((&ServeClientVersion{Version: uint32(client)}).EncodeWire(w, p))
	must(w.Flush())
	var hello ServeServerHello
	must(hello.DecodeWire(r, p))
	if hello.Version != 0x207 {
		t.Errorf("serve version %#x, want 0x207 (Nix 2.8 and 2.26 both speak 2.7)", hello.Version)
	}
	p.Version = min(p.Version, wire.Version(hello.Version))

	send(OpServeQueryValidPaths, &ServeQueryValidPathsRequest{Paths: []StorePath{recMissing, P}})
	var valid ServeQueryValidPathsReply
	must(valid.DecodeWire(r, p))
	if !slices.Equal(valid.Valid, []StorePath{P}) {
		t.Errorf("ServeQueryValidPaths = %v, want [%s]", valid.Valid, P)
	}

	// The reply of QueryPathInfos has no count: a terminated list.
	send(OpServeQueryPathInfos, &ServeQueryPathInfosRequest{Paths: []StorePath{recMissing, P}})
	var pathInfos ServeQueryPathInfosReply
	must(pathInfos.DecodeWire(r, p))
	infos := pathInfos.Infos
	nar := narRegular(content)
	if len(infos) != 1 || infos[0].Path != P || infos[0].Info.NarSize != uint64(len(nar)) ||
		infos[0].Info.DownloadSize != infos[0].Info.NarSize || len(infos[0].Info.References) != 0 ||
		!strings.HasPrefix(string(infos[0].Info.NarHash), "sha256:") || !strings.HasPrefix(string(infos[0].Info.CA), "fixed:r:sha256:") {
		t.Errorf("ServeQueryPathInfos = %+v, want the info of %s (NarSize %d, nix32 hash with prefix)", infos, P, len(nar))
	}

	send(OpServeQueryClosure, &ServeQueryClosureRequest{Paths: []StorePath{P}})
	var closure ServeQueryClosureReply
	must(closure.DecodeWire(r, p))
	if !slices.Equal(closure.Closure, []StorePath{P}) {
		t.Errorf("ServeQueryClosure = %v, want [%s]", closure.Closure, P)
	}

	// Building a path that does not exist fails with a status and message.
	send(OpServeBuildPaths, &ServeBuildPathsRequest{Paths: []DerivedPath{recMissing}, Options: ServeBuildOptions{MaxSilentTime: 60}})
	var status ServeBuildPathsReply
	must(status.DecodeWire(r, p))
	if status.Status == 0 || !strings.Contains(status.ErrorMsg, strings.TrimPrefix(recMissing, "/nix/store/")) {
		t.Errorf("ServeBuildPaths(missing) = %d %q, want a failure naming the path", status.Status, status.ErrorMsg)
	}
	// The connection is still in sync: the next command works.
	send(OpServeQueryValidPaths, &ServeQueryValidPathsRequest{Paths: []StorePath{P}})
	must(valid.DecodeWire(r, p))
	if !slices.Equal(valid.Valid, []StorePath{P}) {
		t.Errorf("ServeQueryValidPaths after a failed build = %v", valid.Valid)
	}
}
