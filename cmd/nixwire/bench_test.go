package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/storepath"
)

// benchPaths is the number of paths BenchmarkPathInfoProcess queries.
const benchPaths = 2000

// benchStorePaths makes sure the store behind url holds benchPaths tiny
// text files with fixed names and contents (so that reruns add nothing)
// and returns their paths.
func benchStorePaths(b *testing.B, url string) []string {
	c, err := client.Dial(b.Context(), url, client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	paths := make([]messages.StorePath, benchPaths)
	text := func(i int) string { return fmt.Sprintf("nixwire benchmark path %d\n", i) }
	for i := range paths {
		p, err := storepath.DefaultDir.Text(fmt.Sprintf("nixwire-bench-%04d", i), []byte(text(i)), nil)
		if err != nil {
			b.Fatal(err)
		}
		paths[i] = messages.StorePath(p.String())
	}
	valid, err := c.QueryValidPaths(b.Context(), paths, false)
	if err != nil {
		b.Fatal(err)
	}
	have := map[messages.StorePath]bool{}
	for _, p := range valid {
		have[p] = true
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = string(p)
		if have[p] {
			continue
		}
		info, err := c.AddToStore(b.Context(), fmt.Sprintf("nixwire-bench-%04d", i), client.MethodText, nil, false, strings.NewReader(text(i)))
		if err != nil {
			b.Fatal(err)
		}
		if info.Path != p {
			b.Fatalf("added %s, computed %s", info.Path, p)
		}
	}
	return out
}

// BenchmarkPathInfoProcess measures 2000 QueryPathInfo end to end as
// whole processes against a socket daemon, Nix 2.8's and Nix 2.26's in
// turn, interleaved in each
// iteration (alternating which goes first): the built `nixwire path-info`
// (one pipelined batch) and `nix-store -q --hash` (Nix's C++ client, one
// round trip a path) with the same paths. Metrics: the milliseconds of
// each per run, and their ratio.
//
//	go test ./cmd/nixwire -run '^$' -bench PathInfoProcess -benchtime 10x
func BenchmarkPathInfoProcess(b *testing.B) {
	for _, dc := range []struct {
		name string
		find func() (*nixdaemon.Daemon, error)
	}{{"nix-2.8", nixdaemon.Legacy}, {"nix-2.26", nixdaemon.Modern}} {
		b.Run(dc.name, func(b *testing.B) { benchPathInfoProcess(b, nixdaemon.Require(b, dc.find)) })
	}
}

func benchPathInfoProcess(b *testing.B, d *nixdaemon.Daemon) {
	dir, err := os.MkdirTemp("", "nwbench")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock, stop, err := d.StartSocket(b.Context(), dir)
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	url := "unix://" + sock
	paths := benchStorePaths(b, url)
	bin := filepath.Join(dir, "nixwire")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v: %s", err, out)
	}
	runOne := func(name string, args []string, env ...string) time.Duration {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		if err != nil {
			b.Fatalf("%s: %v: %s", name, err, stderr.String())
		}
		if n := strings.Count(stdout.String(), "\n"); n != len(paths) {
			b.Fatalf("%s printed %d lines, want %d", name, n, len(paths))
		}
		return took
	}
	ours := append([]string{"path-info", "--store", url}, paths...)
	// --store, not NIX_REMOTE: the wrapper of the modern Nix sets `store`
	// in NIX_CONFIG, which wins over NIX_REMOTE and would have nix-store
	// read the database itself instead of asking the daemon.
	theirs := append([]string{"--store", url, "-q", "--hash"}, paths...)
	b.ReportAllocs()
	b.ResetTimer()
	var tOurs, tTheirs time.Duration
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			tOurs += runOne(bin, ours)
			tTheirs += runOne(d.NixStore, theirs)
		} else {
			tTheirs += runOne(d.NixStore, theirs)
			tOurs += runOne(bin, ours)
		}
	}
	b.ReportMetric(float64(tOurs.Microseconds())/1e3/float64(b.N), "nixwire-ms/op")
	b.ReportMetric(float64(tTheirs.Microseconds())/1e3/float64(b.N), "nix-store-ms/op")
	b.ReportMetric(float64(tTheirs)/float64(tOurs), "nix-store/nixwire")
}
