package trace_test

// The proxy between Nix's own C++ clients (2.8 and 2.26) and the real
// daemons of internal/nixdaemon. Skipped without them, failed under CI=true.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nixhash"
	"github.com/nixwire/nixwire/store/storetest"
	"github.com/nixwire/nixwire/trace"
	"github.com/nixwire/nixwire/wire"
)

// bufferSink keeps events as decoded JSON, to check them as a reader of
// the trace would.
type bufferSink struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	json *trace.JSONSink
}

func newBufferSink() *bufferSink {
	s := &bufferSink{}
	s.json = trace.NewJSONSink(&lockedWriter{s: s})
	return s
}

type lockedWriter struct{ s *bufferSink }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.buf.Write(p)
}

func (s *bufferSink) Event(e *trace.Event) { s.json.Event(e) }

func (s *bufferSink) Flush() error { return s.json.Flush() }

// traced is one event as read back from the JSON lines.
type traced struct {
	Conn   uint64          `json:"conn"`
	From   string          `json:"from"`
	Kind   string          `json:"kind"`
	Op     string          `json:"op"`
	Code   uint64          `json:"code"`
	Type   string          `json:"type"`
	Msg    json.RawMessage `json:"msg"`
	Stream *trace.Stream   `json:"stream"`
	Note   string          `json:"note"`
}

func (s *bufferSink) bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.buf.Bytes())
}

func (s *bufferSink) events(t *testing.T) []traced {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []traced
	sc := bufio.NewScanner(bytes.NewReader(s.buf.Bytes()))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var e traced
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("trace line is not JSON: %v: %s", err, sc.Text())
		}
		out = append(out, e)
	}
	return out
}

var proxies atomic.Int64

// startProxy serves a proxy to upstream on a new socket in dir.
func startProxy(t testing.TB, dir, upstream string, sink trace.Sink, configure ...func(*trace.Proxy)) string {
	t.Helper()
	sock := filepath.Join(dir, fmt.Sprintf("proxy%d.sock", proxies.Add(1)))
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &trace.Proxy{
		Dial: func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", upstream)
		},
		Sink: sink,
	}
	for _, f := range configure {
		f(p)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Serve(ctx, ln)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return sock
}

// startDaemon starts d on a unix socket in a short temporary directory.
func startDaemon(t testing.TB, d *nixdaemon.Daemon) (dir, sock string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "trace")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock, stop, err := d.StartSocket(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Log(err)
		}
	})
	return dir, sock
}

// nixTool returns the `nix` matching d's nix-store (nix-store → nix,
// nix-store-modern → nix-modern).
func nixTool(d *nixdaemon.Daemon) string {
	return filepath.Join(filepath.Dir(d.NixStore), strings.Replace(filepath.Base(d.NixStore), "nix-store", "nix", 1))
}

type result struct {
	out  []byte
	err  string
	code int
}

// runTool runs a Nix client with --store unix://sock.
func runTool(t *testing.T, d *nixdaemon.Daemon, tool, sock string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	full := append([]string{"--store", "unix://" + sock}, args...)
	if filepath.Base(tool) != filepath.Base(d.NixStore) {
		full = append([]string{"--extra-experimental-features", "nix-command"}, full...)
	}
	cmd := exec.CommandContext(ctx, tool, full...)
	cmd.Env = append(os.Environ(), d.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{out: stdout.Bytes(), err: stderr.String()}
	if err != nil {
		r.code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		}
	}
	return r
}

// daemonCase is one real daemon the tests run against.
type daemonCase struct {
	name  string
	which func() (*nixdaemon.Daemon, error)
	proto string
}

var daemons = []daemonCase{
	{"nix-2.8", nixdaemon.Legacy, "1.34"},
	{"nix-2.26", nixdaemon.Modern, "1.38"},
}

// TestAgainstRealDaemon runs a scripted session of Nix's own clients
// through the proxy and directly, and checks that the outputs are the
// same, that every message decoded, and that the trace holds what the
// session did.
func TestAgainstRealDaemon(t *testing.T) {
	for _, dc := range daemons {
		t.Run(dc.name, func(t *testing.T) {
			d := nixdaemon.Require(t, dc.which)
			if d.NixStore == "" {
				t.Fatalf("%s: no nix-store client", d.Name)
			}
			dir, daemonSock := startDaemon(t, d)
			sink := newBufferSink()
			proxySock := startProxy(t, dir, daemonSock, sink)
			session(t, d, dir, daemonSock, proxySock, sink, dc.proto)
		})
	}
}

func session(t *testing.T, d *nixdaemon.Daemon, dir, daemonSock, proxySock string, sink *bufferSink, proto string) {
	nixStore, nix := d.NixStore, nixTool(d)
	unique := fmt.Sprint(time.Now().UnixNano())
	files := filepath.Join(dir, "files")
	if err := os.MkdirAll(filepath.Join(files, "tree", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	file := write("trace-file", "traced "+unique+"\n")
	write("tree/a", "a "+unique)
	write("tree/sub/b", strings.Repeat("b", 100000))
	fixed := write("trace-fixed", "fixed "+unique)
	tree := filepath.Join(files, "tree")

	// Each step runs through the proxy first (so that builds really run
	// there), then directly; both must print the same.
	both := func(tool string, args ...string) result {
		t.Helper()
		via := runTool(t, d, tool, proxySock, args...)
		direct := runTool(t, d, tool, daemonSock, args...)
		if via.code != direct.code || !bytes.Equal(via.out, direct.out) {
			t.Errorf("%s %v: through the proxy: exit %d, %q (%s); directly: exit %d, %q (%s)",
				filepath.Base(tool), args, via.code, via.out, via.err, direct.code, direct.out, direct.err)
		}
		return via
	}
	mustPath := func(r result, what string) string {
		t.Helper()
		p := strings.TrimSpace(string(r.out))
		if r.code != 0 || !strings.HasPrefix(p, "/nix/store/") {
			t.Fatalf("%s: exit %d, %q: %s", what, r.code, r.out, r.err)
		}
		return p
	}
	filePath := mustPath(both(nixStore, "--add", file), "--add file")
	treePath := mustPath(both(nixStore, "--add", tree), "--add dir")
	fixedPath := mustPath(both(nixStore, "--add-fixed", "sha256", fixed), "--add-fixed")
	for _, q := range []string{"--hash", "--references", "--referrers", "--deriver"} {
		both(nixStore, "-q", q, filePath)
	}
	both(nixStore, "-q", "--references", treePath)
	both(nix, "path-info", "--json", filePath, treePath, fixedPath)
	both(nixStore, "--dump", tree) // dumps the file system locally: no op
	// A unix:// store is local: its client reads NARs from the file system,
	// so NarFromPath is exercised by goClients below.
	both(nix, "store", "dump-path", treePath)
	both(nix, "store", "ls", "-R", treePath)
	both(nixStore, "--verify-path", treePath)

	// A build that works and one that fails, of derivations made here.
	drv := func(name, script string) string {
		expr := fmt.Sprintf(`derivation { name = %q; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" %q ]; }`, name, script)
		r := runTool(t, d, filepath.Join(filepath.Dir(nixStore), strings.Replace(filepath.Base(nixStore), "nix-store", "nix-instantiate", 1)), proxySock, "-E", expr)
		if r.code != 0 {
			// Older layouts have no nix-instantiate beside nix-store: use nix.
			r = runTool(t, d, nix, proxySock, "eval", "--raw", "--impure", "--expr", "("+expr+").drvPath")
		}
		return mustPath(r, "instantiate "+name)
	}
	good := drv("trace-ok-"+unique, "echo built "+unique+"; echo "+unique+" > $out")
	bad := drv("trace-fail-"+unique, "echo failing on purpose; exit 1")
	// Nix 2.26's nix-store --realise reads the .drv from the local file
	// system after the build, which a diverted store does not have there.
	realise := func(drv string) []string { return []string{"--realise", drv} }
	builder := nixStore
	if d.StoreDir != d.RealStoreDir {
		builder = nix
		realise = func(drv string) []string { return []string{"build", "--no-link", "--print-out-paths", drv + "^out"} }
	}
	built := mustPath(both(builder, realise(good)...), "build")
	if r := runTool(t, d, builder, proxySock, realise(bad)...); r.code == 0 {
		t.Errorf("the failing build succeeded through the proxy: %q", r.out)
	}
	both(nixStore, "-q", "--references", built)
	roots := runTool(t, d, nixStore, proxySock, "--gc", "--print-roots")
	if roots.code != 0 {
		t.Errorf("--gc --print-roots through the proxy: exit %d: %s", roots.code, roots.err)
	}
	if r := runTool(t, d, nixStore, proxySock, "--delete", built); r.code != 0 {
		t.Logf("--delete %s: exit %d: %s", built, r.code, r.err)
	}
	narData := goClients(t, proxySock, daemonSock, messagesPath(treePath), unique)
	unknownOp(t, proxySock)

	// Wait for the proxy to see every connection close.
	evs := waitClosed(t, sink)
	checkTrace(t, evs, proto, narData)
	buildError, buildLog := false, false
	for _, e := range evs {
		if !strings.HasPrefix(e.Op, "BuildPaths") {
			continue
		}
		msg := string(e.Msg)
		// 1.34 reports a failed build with STDERR_ERROR; BuildPathsWithResults
		// (Nix 2.26) in the reply's BuildResult.
		switch {
		case e.Kind == trace.KindStderr && e.Type == "StderrError" && strings.Contains(msg, "trace-fail-"+unique):
			buildError = true
		case e.Kind == trace.KindReply && strings.Contains(msg, "trace-fail-"+unique) && strings.Contains(msg, "builder for"):
			buildError = true
		case e.Kind == trace.KindStderr && strings.Contains(msg, "built "+unique):
			buildLog = true
		}
	}
	if !buildError || !buildLog {
		t.Errorf("the trace lacks the failing build's STDERR_ERROR (%v) or the good build's log line (%v)", buildError, buildLog)
	}
	if t.Failed() {
		os.WriteFile(filepath.Join(os.TempDir(), "nixwire-trace-"+filepath.Base(dir)+".jsonl"), sink.bytes(), 0o644)
	}
}

func messagesPath(p string) messages.StorePath { return messages.StorePath(p) }

// goClients has nixwire's client fetch a NAR (NarFromPath) through the
// proxy and upload it again (AddToStoreNar, a no-op for a valid path) at
// versions where the upload is raw, pulled with STDERR_READ, and framed;
// the NAR must be the one fetched directly.
func goClients(t *testing.T, proxySock, daemonSock string, path messages.StorePath, unique string) []byte {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var direct bytes.Buffer
	dc, err := client.DialUnix(ctx, daemonSock, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dc.NarFromPath(ctx, path, &direct); err != nil {
		t.Fatal(err)
	}
	dc.Close()
	for _, v := range []wire.Version{wire.V(1, 18), wire.V(1, 21), wire.V(1, 22), wire.V(1, 34), wire.V(1, 38)} {
		settings := client.DefaultSettings()
		settings.UseSubstitutes = false
		c, err := client.DialUnix(ctx, proxySock, client.Options{MaxVersion: v, Settings: settings})
		if err != nil {
			t.Fatalf("client at %s: %v", v, err)
		}
		info, err := c.QueryPathInfo(ctx, path)
		if err != nil {
			t.Fatalf("client at %s: QueryPathInfo: %v", v, err)
		}
		var got bytes.Buffer
		if _, err := c.NarFromPath(ctx, path, &got); err != nil {
			t.Fatalf("client at %s: NarFromPath: %v", v, err)
		}
		if !bytes.Equal(got.Bytes(), direct.Bytes()) {
			t.Errorf("client at %s: the NAR through the proxy differs from the direct one", v)
		}
		if err := c.AddToStoreNar(ctx, info, bytes.NewReader(got.Bytes()), client.ImportOptions{DontCheckSigs: true}); err != nil {
			t.Errorf("client at %s: AddToStoreNar: %v", v, err)
		}
		// A path the daemon does not have yet, so that it reads the upload
		// (Nix 2.8 skips the data of a valid path).
		fresh := *info
		fresh.Path = storetest.Path("/nix/store", unique+v.String(), "trace-upload")
		fresh.RegistrationTime, fresh.CA = 0, "" // input-addressed: Nix checks a CA against the content
		if err := c.AddToStoreNar(ctx, &fresh, bytes.NewReader(got.Bytes()), client.ImportOptions{DontCheckSigs: true}); err != nil {
			t.Errorf("client at %s: AddToStoreNar of a new path: %v", v, err)
		}
		c.Close()
	}
	return direct.Bytes()
}

// unknownOp sends op 9999 after a real handshake, as a raw Go client.
func unknownOp(t *testing.T, sock string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	nc, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c, err := client.HandshakeContext(ctx, nc, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = c
	w := wire.NewWriter(nc)
	w.Uint64(9999)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	var sink bytes.Buffer
	sink.ReadFrom(nc) // the daemon answers with errors and hangs up
}

// waitClosed returns the events once every opened connection has closed.
func waitClosed(t *testing.T, sink *bufferSink) []traced {
	deadline := time.Now().Add(20 * time.Second)
	for {
		evs := sink.events(t)
		open, closed := 0, 0
		for _, e := range evs {
			switch e.Kind {
			case trace.KindOpen:
				open++
			case trace.KindClose:
				closed++
			}
		}
		if open == closed || time.Now().After(deadline) {
			return evs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func checkTrace(t *testing.T, evs []traced, proto string, dump []byte) {
	t.Helper()
	ops := map[string]int{}
	undecodable := 0
	var narStreams []*trace.Stream
	uploads := map[string]int{}
	for _, e := range evs {
		switch e.Kind {
		case trace.KindUndecodable:
			if !strings.Contains(e.Note, "unknown op 9999") {
				t.Errorf("conn %d: undecodable: %s", e.Conn, e.Note)
			}
			undecodable++
		case trace.KindBehind:
			t.Errorf("conn %d: the decoder fell behind: %s", e.Conn, e.Note)
		case trace.KindRequest:
			ops[e.Op]++
		case trace.KindNegotiated:
			var n trace.Negotiated
			json.Unmarshal(e.Msg, &n)
			if n.Version != proto && !slices.Contains([]string{"1.18", "1.21", "1.22", "1.34", "1.38"}, n.Version) {
				t.Errorf("conn %d negotiated %s; want %s", e.Conn, n.Version, proto)
			}
		case trace.KindStream:
			if e.Op == "AddToStoreNar" {
				uploads[e.Stream.Kind]++
			}
			if e.Op == "NarFromPath" && e.Stream.Kind == "nar" {
				narStreams = append(narStreams, e.Stream)
			}
		}
	}
	if undecodable != 1 {
		t.Errorf("%d undecodable events; want exactly 1, the unknown op", undecodable)
	}
	ops["Build*"] = ops["BuildPaths"] + ops["BuildPathsWithResults"]
	for _, op := range []string{"SetOptions", "AddToStore", "AddToStoreNar", "QueryPathInfo", "NarFromPath", "Build*", "FindRoots", "CollectGarbage", "QueryReferrers", "QueryMissing"} {
		if ops[op] == 0 {
			t.Errorf("the trace holds no %s request; it holds %v", op, ops)
		}
	}
	want := nixhash.Sum(nixhash.SHA256, dump).String()
	found := false
	for _, st := range narStreams {
		if st.Hash == want && st.Size == int64(len(dump)) {
			found = true
		}
	}
	if !found {
		t.Errorf("no NarFromPath stream of %d bytes with sha256 %s in the trace (%d NAR streams)", len(dump), want, len(narStreams))
	}
	for _, k := range []string{"nar", "read", "framed"} {
		if uploads[k] == 0 {
			t.Errorf("no AddToStoreNar upload as a %s stream in the trace (%v)", k, uploads)
		}
	}
	t.Logf("%d events; requests: %v; AddToStoreNar streams: %v", len(evs), ops, uploads)
}

// TestCrossVersions runs Nix 2.26's clients (protocol 1.38) through the
// proxy to Nix 2.8's daemon (1.34), which does not negotiate: the decoder
// must follow the lower version as both sides do.
func TestCrossVersions(t *testing.T) {
	legacy := nixdaemon.Require(t, nixdaemon.Legacy)
	modern := nixdaemon.Require(t, nixdaemon.Modern)
	if modern.NixStore == "" {
		t.Fatal("nix 2.26: no nix-store client")
	}
	ctx := context.Background()
	p, err := legacy.AddToStore(ctx, "trace-cross", []byte("cross "+fmt.Sprint(time.Now().UnixNano())))
	if err != nil {
		t.Fatal(err)
	}
	dir, daemonSock := startDaemon(t, legacy)
	sink := newBufferSink()
	proxySock := startProxy(t, dir, daemonSock, sink)
	for _, args := range [][]string{
		{modern.NixStore, "-q", "--hash", p},
		{modern.NixStore, "-q", "--references", p},
		{nixTool(modern), "path-info", "--json", p},
	} {
		via := runTool(t, modern, args[0], proxySock, args[1:]...)
		direct := runTool(t, modern, args[0], daemonSock, args[1:]...)
		if via.code != 0 || via.code != direct.code || !bytes.Equal(via.out, direct.out) {
			t.Errorf("%v: through the proxy: exit %d, %q (%s); directly: exit %d, %q", args, via.code, via.out, via.err, direct.code, direct.out)
		}
	}
	evs := waitClosed(t, sink)
	conns := 0
	for _, e := range evs {
		switch e.Kind {
		case trace.KindUndecodable, trace.KindBehind:
			t.Errorf("conn %d: %s: %s", e.Conn, e.Kind, e.Note)
		case trace.KindNegotiated:
			var n trace.Negotiated
			json.Unmarshal(e.Msg, &n)
			if n.ClientVersion != "1.38" || n.DaemonVersion != "1.34" || n.Version != "1.34" {
				t.Errorf("conn %d negotiated %+v; want client 1.38, daemon 1.34, used 1.34", e.Conn, n)
			}
			conns++
		}
	}
	if conns != 3 {
		t.Errorf("%d handshakes traced; want 3", conns)
	}
}
