package sqlitestore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/store/storetest"
)

// crashChildEnv names the data directory a re-executed test binary
// uploads into until it is killed (see crashChild).
const crashChildEnv = "NIXWIRE_SQLITESTORE_CRASH_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		os.Exit(crashChild(dir))
	}
	os.Exit(m.Run())
}

// crashChild opens the store in dir and uploads paths, some referring to
// earlier ones, some failing on purpose, until it is killed. After each
// AddPath that returned nil it writes "ack PATH" to stdout.
func crashChild(dir string) int {
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	ctx := context.Background()
	valid, err := s.QueryAllValidPaths(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	seed, _ := strconv.ParseUint(os.Getenv(crashChildEnv+"_SEED"), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 0))
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		size := rng.IntN(64 << 10)
		if rng.IntN(20) == 0 {
			size = 1<<20 + rng.IntN(1<<20)
		}
		contents := make([]byte, size)
		for j := range contents {
			contents[j] = byte(rng.Uint32())
		}
		nar := storetest.FileNAR(contents)
		p := storetest.Path(s.StoreDir(), fmt.Sprint(seed, "/", i), "crash")
		var refs []messages.StorePath
		for n := rng.IntN(4); n > 0 && len(valid) > 0; n-- {
			refs = append(refs, valid[rng.IntN(len(valid))])
		}
		if rng.IntN(2) == 0 {
			refs = append(refs, p)
		}
		info := storetest.Info(p, nar, refs...)
		info.Sigs = []messages.Signature{messages.Signature("crash-test-1:" + strconv.Itoa(i))}
		if rng.IntN(10) == 0 { // a hostile upload: must leave no trace
			info.NarHash = store.FormatNarHash(sha256.Sum256(nil))
			if err := s.AddPath(ctx, info, bytes.NewReader(nar)); err == nil {
				fmt.Fprintln(os.Stderr, "child: a wrong hash was accepted")
				return 1
			}
			continue
		}
		if err := s.AddPath(ctx, info, bytes.NewReader(nar)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 1
		}
		fmt.Fprintf(out, "ack %s\n", p)
		if err := out.Flush(); err != nil {
			return 1
		}
		valid = append(valid, p)
	}
}

// TestCrashConsistency kills an uploading child process with SIGKILL at
// random points, over and over, and checks after each kill that the store
// reopens consistent: every registered path has its NAR with the
// registered hash and size, no orphan NAR or temporary file survives Open,
// references are closed, and every upload the child acknowledged is there.
func TestCrashConsistency(t *testing.T) {
	budget := 15 * time.Second
	if testing.Short() {
		budget = 3 * time.Second
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	acked := map[messages.StorePath]bool{}
	start := time.Now()
	iterations, killedMidRun, interrupted := 0, 0, 0
	for time.Since(start) < budget {
		iterations++
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashChildEnv+"_SEED="+strconv.Itoa(iterations))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []string, 1)
		go func() {
			var got []string
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if p, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
					got = append(got, p)
				}
			}
			lines <- got
		}()
		time.Sleep(time.Duration(20+rng.IntN(400)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		got := <-lines
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killedMidRun++
		} else {
			t.Fatalf("child exited on its own (%v): %s", err, stderr.String())
		}
		for _, p := range got {
			acked[messages.StorePath(p)] = true
		}

		if ents, _ := os.ReadDir(dir + "/" + tmpDir); len(ents) != 0 {
			interrupted++
		}
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("iteration %d: reopen: %v", iterations, err)
		}
		if err := s.Verify(context.Background()); err != nil {
			t.Fatalf("iteration %d: %v", iterations, err)
		}
		all, err := s.QueryAllValidPaths(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		valid := map[messages.StorePath]bool{}
		for _, p := range all {
			valid[p] = true
		}
		for p := range acked {
			if !valid[p] {
				t.Fatalf("iteration %d: acknowledged upload %s is missing", iterations, p)
			}
		}
		for _, p := range all {
			info, err := s.QueryPathInfo(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range info.References {
				if !valid[r] {
					t.Fatalf("iteration %d: %s refers to %s, which is not valid", iterations, p, r)
				}
			}
			if len(info.Sigs) != 1 {
				t.Fatalf("iteration %d: %s has signatures %v; want exactly its one", iterations, p, info.Sigs)
			}
		}
		if ents, _ := os.ReadDir(dir + "/" + tmpDir); len(ents) != 0 {
			t.Fatalf("iteration %d: %d temporary files survived Open", iterations, len(ents))
		}
		s.Close()
	}
	t.Logf("%d kills in %v (%d left an interrupted upload behind); %d acknowledged uploads, all present and consistent",
		killedMidRun, time.Since(start).Round(time.Second), interrupted, len(acked))
	if len(acked) == 0 {
		t.Error("the child never acknowledged an upload: the test proved nothing")
	}
}
