package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/internal/cputime"
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

// benchSetup starts d on a socket in a new temporary directory, makes
// sure its store holds the benchmark's paths (benchStorePaths) and builds
// nixwire beside the socket; all of it ends with b.
func benchSetup(b *testing.B, d *nixdaemon.Daemon) (sock, bin string, paths []string) {
	dir, err := os.MkdirTemp("", "nwbench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	sock, stop, err := d.StartSocket(b.Context(), dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stop() })
	paths = benchStorePaths(b, "unix://"+sock)
	bin = filepath.Join(dir, "nixwire")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v: %s", err, out)
	}
	return sock, bin, paths
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
	sock, bin, paths := benchSetup(b, d)
	url := "unix://" + sock
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

// BenchmarkTraceProcess measures what `nixwire trace`, run as its own
// process the way users run it, adds to 2000 QueryPathInfo from a client
// that waits for each reply (the workload of the serve benchmark), against
// the Nix 2.8 socket daemon. As the reference for the extra hop alone, the
// same queries also go through plainForward, a proxy process that copies
// bytes and decodes nothing. Each iteration runs 20 batches of 100 queries
// each way (directly, through the plain forwarder, through the trace),
// rotating which goes first; the metrics are the medians of the batches'
// ratios to the direct batch, and of trace's to the plain forwarder's.
//
//	go test ./cmd/nixwire -run '^$' -bench TraceProcess -benchtime 3x -count 2
func BenchmarkTraceProcess(b *testing.B) {
	d := nixdaemon.Require(b, nixdaemon.Legacy)
	sock, bin, paths := benchSetup(b, d)
	start := func(cmd *exec.Cmd) {
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
		})
	}
	traceSock := filepath.Join(filepath.Dir(sock), "trace.sock")
	start(exec.Command(bin, "trace", "--socket", traceSock, "--upstream", "unix://"+sock, "--out", os.DevNull))
	plainSock := filepath.Join(filepath.Dir(sock), "plain.sock")
	plain := exec.Command(os.Args[0], "-test.run=^$")
	plain.Env = append(os.Environ(), plainForwardEnv+"="+plainSock+"\n"+sock)
	start(plain)
	dial := func(sock string) *client.Conn {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			c, err := client.DialUnix(b.Context(), sock, client.Options{})
			if err == nil {
				b.Cleanup(func() { c.Close() })
				return c
			}
			if time.Now().After(deadline) {
				b.Fatal(err)
			}
		}
	}
	// direct, plain, traced
	conns := []*client.Conn{dial(sock), dial(plainSock), dial(traceSock)}
	run := func(c *client.Conn, from int) time.Duration {
		start := time.Now()
		for _, p := range paths[from : from+100] {
			if _, err := c.QueryPathInfo(b.Context(), messages.StorePath(p)); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	for _, c := range conns { // warm them up
		run(c, 0)
	}
	b.ResetTimer()
	var total [3]time.Duration
	var plainRatios, traceRatios, traceToPlain []float64
	for i := 0; i < b.N; i++ {
		for j := range 20 {
			var t [3]time.Duration
			for k := range 3 {
				arm := (j + k) % 3
				t[arm] = run(conns[arm], j*100)
				total[arm] += t[arm]
			}
			plainRatios = append(plainRatios, float64(t[1])/float64(t[0]))
			traceRatios = append(traceRatios, float64(t[2])/float64(t[0]))
			traceToPlain = append(traceToPlain, float64(t[2])/float64(t[1]))
		}
	}
	median := func(r []float64) float64 {
		slices.Sort(r)
		return r[len(r)/2]
	}
	n := float64(b.N * 2000)
	b.ReportMetric(float64(total[0].Nanoseconds())/n, "direct-ns/query")
	b.ReportMetric(float64(total[1].Nanoseconds())/n, "plain-ns/query")
	b.ReportMetric(float64(total[2].Nanoseconds())/n, "traced-ns/query")
	b.ReportMetric(100*(median(plainRatios)-1), "plain-overhead-%")
	b.ReportMetric(100*(median(traceRatios)-1), "overhead-%")
	b.ReportMetric(100*(median(traceToPlain)-1), "trace-vs-plain-%")
}

// BenchmarkPathInfoParts splits what BenchmarkPathInfoProcess measures
// into its parts, against the Nix 2.8 socket daemon, to show the floor of
// a `nixwire path-info` run: starting the process (`nixwire help`),
// dialling (the daemon forks a worker, which opens its database, and
// answers the handshake), 2000 QueryPathInfo pipelined on that fresh
// connection, and the same on the warm connection, with the CPU time this
// (client) process used for the warm batch. It also reads the CPU time of
// the daemon's worker for that connection (Linux's /proc): for its start
// up to the handshake, and for the 2000 fresh answers. A worker is one
// thread, so its CPU time bounds the wall time of the work it does.
//
//	go test ./cmd/nixwire -run '^$' -bench PathInfoParts -benchtime 10x
func BenchmarkPathInfoParts(b *testing.B) {
	d := nixdaemon.Require(b, nixdaemon.Legacy)
	sock, bin, strs := benchSetup(b, d)
	paths := make([]messages.StorePath, len(strs))
	for i, p := range strs {
		paths[i] = messages.StorePath(p)
	}
	dpid, err := daemonPID(sock)
	if err != nil {
		b.Fatal(err)
	}
	var start, dial, fresh, warm, cpu, workerSetup, workerAnswers time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		if err := exec.Command(bin, "help").Run(); err != nil {
			b.Fatal(err)
		}
		start += time.Since(t)
		before, err := childPIDs(dpid)
		if err != nil {
			b.Fatal(err)
		}
		t = time.Now()
		c, err := client.DialUnix(b.Context(), sock, client.Options{})
		if err != nil {
			b.Fatal(err)
		}
		dial += time.Since(t)
		worker, err := newChild(dpid, before)
		if err != nil {
			b.Fatal(err)
		}
		w0, err := cpuTime(worker)
		if err != nil {
			b.Fatal(err)
		}
		t = time.Now()
		if _, err := c.QueryPathInfos(b.Context(), paths); err != nil {
			b.Fatal(err)
		}
		fresh += time.Since(t)
		w1, err := cpuTime(worker)
		if err != nil {
			b.Fatal(err)
		}
		workerSetup, workerAnswers = workerSetup+w0, workerAnswers+w1-w0
		t = time.Now()
		c0 := cputime.Process()
		if _, err := c.QueryPathInfos(b.Context(), paths); err != nil {
			b.Fatal(err)
		}
		cpu += cputime.Process() - c0
		warm += time.Since(t)
		c.Close()
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 / float64(b.N) }
	b.ReportMetric(ms(start), "start-ms")
	b.ReportMetric(ms(dial), "dial-ms")
	b.ReportMetric(ms(fresh), "fresh-2000-ms")
	b.ReportMetric(ms(warm), "warm-2000-ms")
	b.ReportMetric(ms(cpu), "client-cpu-ms")
	b.ReportMetric(ms(workerSetup), "worker-setup-cpu-ms")
	b.ReportMetric(ms(workerAnswers), "worker-2000-cpu-ms")
}
