package client_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// A derivation in ATerm form and the output path Nix computes for it
// (daemons refuse a .drv whose output path is wrong).
const (
	moreDrvOut = "/nix/store/ww9idcq38y28f8jggldy3hpxpcvjn2hn-nixwire-live"
	moreDrv    = `Derive([("out","` + moreDrvOut + `","","")],[],[],"x86_64-linux","/bin/sh",["-c","echo > $out"],[("out","` + moreDrvOut + `")])`
)

func TestDaemonTypedOps(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		c := dial(t, d, client.Options{})
		drv, err := c.AddToStore(ctx(t), "nixwire-live.drv", client.MethodText, nil, false, strings.NewReader(moreDrv))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddTempRoot(ctx(t), drv.Path); err != nil {
			t.Fatal(err)
		}
		outs, err := c.QueryDerivationOutputs(ctx(t), drv.Path)
		if err != nil || !slices.Equal(outs, []messages.StorePath{moreDrvOut}) {
			t.Errorf("QueryDerivationOutputs = %v, %v", outs, err)
		}
		if ds, err := c.QueryValidDerivers(ctx(t), moreDrvOut); err != nil || !slices.Contains(ds, drv.Path) {
			t.Errorf("QueryValidDerivers(output) = %v, %v, want it to hold %s", ds, err, drv.Path)
		}
		if dv, err := c.QueryDeriver(ctx(t), drv.Path); err != nil || dv != "" {
			t.Errorf("QueryDeriver = %q, %v", dv, err)
		}
		infos, err := c.QuerySubstitutablePathInfos(ctx(t), map[messages.StorePath]messages.ContentAddress{moreDrvOut: ""})
		if err != nil || len(infos) != 0 {
			t.Errorf("QuerySubstitutablePathInfos with substituters off = %v, %v", infos, err)
		}
		if err := c.AddBuildLog(ctx(t), drv.Path, strings.NewReader("a build log\n")); err != nil {
			t.Errorf("AddBuildLog: %v", err)
		}
		if c.Proto().AtLeast(1, 36) {
			root := filepath.Join(t.TempDir(), "root")
			got, err := c.AddPermRoot(ctx(t), drv.Path, root)
			if err != nil || got != root {
				t.Fatalf("AddPermRoot = %q, %v", got, err)
			}
			if target, err := os.Readlink(root); err != nil || target != string(drv.Path) {
				t.Errorf("the root links to %q (%v), want %s", target, err, drv.Path)
			}
		}

		// Below 1.34: the fallback of BuildPathsWithResults.
		old := dial(t, d, client.Options{MaxVersion: wire.V(1, 33)})
		res, err := old.BuildPathsWithResults(ctx(t), []messages.DerivedPath{messages.DerivedPath(drv.Path)}, messages.BuildModeNormal)
		if err != nil || len(res) != 1 || res[0].Result.Status != messages.BuildStatusSubstituted || res[0].Path != messages.DerivedPath(drv.Path) {
			t.Errorf("BuildPathsWithResults at 1.33 = %+v, %v", res, err)
		}
		if _, err := old.BuildPathsWithResults(ctx(t), []messages.DerivedPath{"/nix/store/00000000000000000000000000000000-nixwire-missing"}, messages.BuildModeNormal); err == nil {
			t.Error("BuildPathsWithResults of a missing path at 1.33 succeeded")
		}
	})
}

func TestFakeTypedOps(t *testing.T) {
	var gotBuild messages.BuildDerivationRequest
	var gotReg messages.RegisterDrvOutputRequest
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpBuildDerivation: func(op *clienttest.Op) error {
			if err := op.Decode(&gotBuild); err != nil {
				return err
			}
			op.Last()
			return op.Reply(&messages.BuildResult{Status: messages.BuildStatusPermanentFailure, ErrorMsg: "builder failed"})
		},
		messages.OpRegisterDrvOutput: func(op *clienttest.Op) error {
			if err := op.Decode(&gotReg); err != nil {
				return err
			}
			return op.Last()
		},
		messages.OpQueryRealisation: func(op *clienttest.Op) error {
			if err := op.Decode(&messages.QueryRealisationRequest{}); err != nil {
				return err
			}
			op.Last()
			return op.Reply(&messages.QueryRealisationReply{Realisations: []messages.RealisationJSON{`{"id":"x"}`}})
		},
	}}
	c, _ := fakeConn(t, d, client.Options{})
	drv := &messages.BasicDerivation{Platform: "x86_64-linux", Builder: "/bin/sh", Args: []string{"-c", "exit 1"},
		Outputs: map[messages.OutputName]messages.DerivationOutput{}, InputSrcs: []messages.StorePath{}, Env: map[string]string{}}
	res, err := c.BuildDerivation(ctx(t), testPath+".drv", drv, messages.BuildModeNormal)
	if err != nil || res.Status != messages.BuildStatusPermanentFailure || gotBuild.Drv.Builder != "/bin/sh" || gotBuild.DrvPath != testPath+".drv" {
		t.Fatalf("BuildDerivation = %+v, %v; daemon got %+v", res, err, gotBuild)
	}
	if _, err := c.BuildDerivation(ctx(t), testPath, nil, messages.BuildModeNormal); err == nil {
		t.Fatal("nil derivation accepted")
	}
	if err := c.RegisterDrvOutput(ctx(t), &messages.RegisterDrvOutputRequest{RealisationJSON: `{"id":"x"}`}); err != nil || gotReg.RealisationJSON != `{"id":"x"}` {
		t.Fatalf("RegisterDrvOutput: %v; daemon got %+v", err, gotReg)
	}
	r, err := c.QueryRealisation(ctx(t), &messages.QueryRealisationRequest{})
	if err != nil || len(r.Realisations) != 1 {
		t.Fatalf("QueryRealisation = %+v, %v", r, err)
	}
}

func TestDaemonLegacyTypedOps(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		c := dial(t, d, client.Options{})
		p, err := d.AddToStore(ctx(t), "nixwire-legacy-ops", []byte("legacy ops\n"))
		if err != nil {
			t.Fatal(err)
		}
		path := messages.StorePath(p)
		if err := c.AddTempRoot(ctx(t), path); err != nil {
			t.Fatal(err)
		}
		info, err := c.QueryPathInfo(ctx(t), path)
		if err != nil || info == nil {
			t.Fatal(info, err)
		}
		if h, err := c.QueryPathHash(ctx(t), path); err != nil || h != info.NarHash {
			t.Errorf("QueryPathHash = %s, %v, want %s", h, err, info.NarHash)
		}
		if ok, err := c.HasSubstitutes(ctx(t), path); err != nil || ok {
			t.Errorf("HasSubstitutes with substituters off = %v, %v", ok, err)
		}
		if si, err := c.QuerySubstitutablePathInfo(ctx(t), path); err != nil || si != nil {
			t.Errorf("QuerySubstitutablePathInfo = %+v, %v", si, err)
		}
		if err := c.SyncWithGC(ctx(t)); err != nil {
			t.Errorf("SyncWithGC: %v", err)
		}
		drv, err := c.AddToStore(ctx(t), "nixwire-live.drv", client.MethodText, nil, false, strings.NewReader(moreDrv))
		if err != nil {
			t.Fatal(err)
		}
		if names, err := c.QueryDerivationOutputNames(ctx(t), drv.Path); err != nil || !slices.Equal(names, []messages.OutputName{"out"}) {
			t.Errorf("QueryDerivationOutputNames = %v, %v", names, err)
		}
		var export bytes.Buffer
		if err := c.ExportPath(ctx(t), path, &export); err != nil || export.Len() == 0 {
			t.Fatalf("ExportPath: %d bytes, %v", export.Len(), err)
		}
		// The format of nix-store --export: each path after a 1, and a 0.
		stream := append(append(wire.AppendUint64(nil, 1), export.Bytes()...), wire.AppendUint64(nil, 0)...)
		paths, err := c.ImportPaths(ctx(t), bytes.NewReader(stream))
		if err != nil || !slices.Equal(paths, []messages.StorePath{path}) {
			t.Errorf("ImportPaths of the export = %v, %v", paths, err)
		}
		if err := c.Err(); err != nil {
			t.Fatal(err)
		}
	})
}
