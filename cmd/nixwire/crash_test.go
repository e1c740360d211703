package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/store/sqlitestore"
)

// serveCrashEnv, when set to "SOCKET\nDATA", makes the test binary run
// `nixwire serve --socket SOCKET --data DATA` instead of the tests: the
// process TestServeCrashSafety kills.
const serveCrashEnv = "NIXWIRE_SERVE_CRASH_CHILD"

func TestMain(m *testing.M) {
	runPlainForward()
	if v, ok := os.LookupEnv(cliEnv); ok {
		// The test binary as the nixwire process (cliProcess).
		if d := os.Getenv(windDownEnv); d != "" {
			defaultWindDown, _ = time.ParseDuration(d)
		}
		os.Exit(cliMain(strings.Split(v, "\n")))
	}
	if v := os.Getenv(serveCrashEnv); v != "" {
		sock, data, _ := strings.Cut(v, "\n")
		os.Exit(run([]string{"serve", "--socket", sock, "--data", data}, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// opTimeout bounds every client call and every wait for the server: far
// above what anything takes, even on a loaded machine, so that only a
// hang fails the test, never slowness.
const opTimeout = 2 * time.Minute

// TestServeCrashSafety kills `nixwire serve` with SIGKILL at random
// moments while clients upload through the protocol (AddToStoreNar,
// AddMultipleToStore and AddToStore; small NARs and a few of 1–4 MiB),
// restarts it on the same data directory after each kill and checks,
// through the protocol and on disk: every upload whose call returned nil
// is valid with its NAR hash, size and references, NarFromPath streams a
// NAR of that hash and the unpacked file matches; uploads cut off by the
// kill are absent or whole; uploads with a wrong hash never appear; the
// server's startup removed every temporary file (every fourth restart
// follows a kill 0–150 ms into a startup, which may have been removing
// them); and after every other kill, with the server dead,
// sqlitestore.Verify finds the store consistent.
func TestServeCrashSafety(t *testing.T) {
	budget := 14 * time.Second
	if testing.Short() {
		budget = 3 * time.Second
	}
	// A short directory: the socket's path must fit in sun_path.
	dir, err := os.MkdirTemp("", "nwcr")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock, data := filepath.Join(dir, "sock"), filepath.Join(dir, "data")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	ledger := newLedger()
	var st crashStats
	start := time.Now()
	for iter := 1; time.Since(start) < budget; iter++ {
		if iter%4 == 2 {
			// The last kill's leftovers are still there (see below):
			// kill the server again while it may be removing them.
			spawnServe(t, sock, data).killAfter(t, time.Duration(rng.IntN(150))*time.Millisecond)
			st.startupKills++
		}
		srv, c := startServe(t, sock, data)
		checkStore(t, iter, c, data, ledger, false)
		c.Close()
		st.add(uploadUntilKilled(t, srv, sock, ledger, seed, iter, killDelay(rng)), leftovers(data))
		if iter%2 == 0 {
			// The server's own startup cleans up after the other kills.
			verifyDirect(t, iter, data, ledger)
		}
	}
	srv, c := startServe(t, sock, data)
	checkStore(t, -1, c, data, ledger, true)
	c.Close()
	srv.kill(t)
	verifyDirect(t, -1, data, ledger)
	t.Logf("%d kills in %v (and %d during startup): %d while an upload was in flight, %d left temporary files behind (store tmp/ %d, spool/ %d, unpacking %d); "+
		"%d uploads acknowledged (%d of 1 MiB or more, %d MiB in all), %d cut off but registered, %d with a wrong hash refused",
		st.kills, time.Since(start).Round(time.Second), st.startupKills, st.midUpload, st.interrupted, st.tmp, st.spool, st.unpack,
		ledger.acknowledged, ledger.ackedLarge, ledger.ackedBytes>>20, ledger.promoted, len(ledger.never))
	if ledger.ackedLarge == 0 || st.midUpload == 0 {
		t.Error("no large upload was acknowledged or no kill cut an upload off: the test proved nothing")
	}
}

// killDelay picks how long the clients upload before the kill: mostly
// within a few small uploads, sometimes long enough for large ones.
func killDelay(rng *rand.Rand) time.Duration {
	if rng.IntN(6) == 0 {
		return time.Duration(400+rng.IntN(800)) * time.Millisecond
	}
	return time.Duration(rng.IntN(400)) * time.Millisecond
}

// crashStats counts what the kills hit.
type crashStats struct {
	kills, midUpload, interrupted int
	startupKills                  int
	tmp, spool, unpack            int // kills that left files of each kind
}

// add counts a kill with inFlight uploads under way, after which left
// were the temporary files in the data directory.
func (s *crashStats) add(inFlight int, left []string) {
	s.kills++
	if inFlight > 0 {
		s.midUpload++
	}
	if len(left) > 0 {
		s.interrupted++
	}
	var tmp, spool, unpack bool
	for _, f := range left {
		switch {
		case strings.HasPrefix(f, "tmp/"):
			tmp = true
		case strings.HasPrefix(f, "spool/"):
			spool = true
		default:
			unpack = true
		}
	}
	for _, k := range []struct {
		hit bool
		n   *int
	}{{tmp, &s.tmp}, {spool, &s.spool}, {unpack, &s.unpack}} {
		if k.hit {
			*k.n++
		}
	}
}

// serveChild is a running `nixwire serve` process.
type serveChild struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{}
}

// startServe starts `nixwire serve` on sock and data and returns it with
// a connection that completed the handshake.
func startServe(t *testing.T, sock, data string) (*serveChild, *client.Conn) {
	t.Helper()
	s := spawnServe(t, sock, data)
	deadline := time.Now().Add(opTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		c, err := client.DialUnix(ctx, sock, client.Options{})
		cancel()
		if err == nil {
			return s, c
		}
		select {
		case <-s.done:
			t.Fatalf("nixwire serve exited at startup (%v): %s", s.cmd.ProcessState, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.kill(t)
			t.Fatalf("nixwire serve did not answer on %s: %v", sock, err)
		}
	}
}

// spawnServe starts `nixwire serve` on sock and data.
func spawnServe(t *testing.T, sock, data string) *serveChild {
	t.Helper()
	s := &serveChild{done: make(chan struct{})}
	s.cmd = exec.Command(os.Args[0], "-test.run=^$")
	s.cmd.Env = append(os.Environ(), serveCrashEnv+"="+sock+"\n"+data)
	s.cmd.Stderr = &s.stderr
	s.cmd.SysProcAttr = serveChildAttr()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { // when the test fails with the server running
		s.cmd.Process.Kill()
		<-s.done
	})
	return s
}

// killAfter kills the server after d, or fails the test if it exited on
// its own before.
func (s *serveChild) killAfter(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
	}
	s.kill(t)
}

// kill sends SIGKILL and waits for the process to be gone; it fails the
// test if the server had exited on its own.
func (s *serveChild) kill(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	if ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("nixwire serve exited on its own (%v): %s", s.cmd.ProcessState, s.stderr.String())
	}
}

// uploadUntilKilled runs two uploading clients against srv, kills srv
// after delay and returns how many uploads were in flight at that moment.
// In the first iteration the delay starts once a large upload has been
// acknowledged, so that every run has some.
func uploadUntilKilled(t *testing.T, srv *serveChild, sock string, l *ledger, seed uint64, iter int, delay time.Duration) int {
	t.Helper()
	u := &uploader{ledger: l, sock: sock, iter: iter, largeAcked: make(chan struct{})}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u.run(t, w, rand.NewChaCha8(chachaSeed(seed, iter, w)))
		}()
	}
	if iter == 1 {
		select {
		case <-u.largeAcked:
		case <-time.After(opTimeout):
			t.Error("no large upload was acknowledged before the first kill")
		}
	}
	time.Sleep(delay)
	u.killed.Store(true)
	inFlight := int(u.inFlight.Load())
	srv.kill(t)
	wg.Wait()
	return inFlight
}

// leftovers names the temporary files an interrupted upload may leave in
// the data directory: in the store's tmp/, serve's spool/, and the
// unpacking trees in the real store directory.
func leftovers(data string) []string {
	var found []string
	for _, d := range []string{"tmp", "spool"} {
		ents, _ := os.ReadDir(filepath.Join(data, d))
		for _, e := range ents {
			found = append(found, filepath.Join(d, e.Name()))
		}
	}
	ents, _ := os.ReadDir(realStoreDir(data))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			found = append(found, e.Name())
		}
	}
	return found
}

// realStoreDir is where serve unpacks the paths of /nix/store.
func realStoreDir(data string) string { return filepath.Join(data, "root", "nix", "store") }

// verifyDirect opens the data directory of a dead server with
// sqlitestore and runs its Verify: every registered path has its NAR with
// the registered hash and size, references are closed, no unregistered
// NAR file. It also checks every acknowledged path is registered.
func verifyDirect(t *testing.T, iter int, data string, l *ledger) {
	t.Helper()
	s, err := sqlitestore.Open(data, sqlitestore.Options{})
	if err != nil {
		t.Fatalf("iteration %d: open the store of the killed server: %v", iter, err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := s.Verify(ctx); err != nil {
		t.Fatalf("iteration %d: %v", iter, err)
	}
	for p := range l.acked {
		if ok, err := s.IsValid(ctx, p); err != nil || !ok {
			t.Fatalf("iteration %d: acknowledged %s is not registered (%v)", iter, p, err)
		}
	}
}

// chachaSeed derives a ChaCha8 seed for one uploader of one iteration.
func chachaSeed(seed uint64, iter, worker int) [32]byte {
	var s [32]byte
	for i, v := range []uint64{seed, uint64(iter), uint64(worker)} {
		for j := range 8 {
			s[i*8+j] = byte(v >> (8 * j))
		}
	}
	return s
}
