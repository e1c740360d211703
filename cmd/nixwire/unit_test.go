package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
)

func TestParseInterspersed(t *testing.T) {
	cases := []struct {
		args     []string
		wantArgs []string
		wantJSON bool
		wantR    bool
		wantS    bool
		store    string
		err      string
	}{
		{args: []string{"a", "--json", "b"}, wantArgs: []string{"a", "b"}, wantJSON: true},
		{args: []string{"--store", "unix://s", "a", "-r"}, wantArgs: []string{"a"}, wantR: true, store: "unix://s"},
		{args: []string{"a", "--store=daemon", "b"}, wantArgs: []string{"a", "b"}, store: "daemon"},
		{args: []string{"-rS", "a"}, wantArgs: []string{"a"}, wantR: true, wantS: true},
		{args: []string{"a", "--", "--json", "-r"}, wantArgs: []string{"a", "--json", "-r"}},
		{args: []string{"-", "a"}, wantArgs: []string{"-", "a"}},
		{args: []string{"--json=false", "a"}, wantArgs: []string{"a"}},
		{args: []string{"a", "--store"}, err: "flag needs an argument: -store"},
		{args: []string{"-rx"}, err: "flag provided but not defined: -rx"},
		{args: []string{"a", "--nope"}, err: "flag provided but not defined: -nope"},
	}
	for _, tc := range cases {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		json, r, s := fs.Bool("json", false, ""), fs.Bool("r", false, ""), fs.Bool("S", false, "")
		store := fs.String("store", "", "")
		args, err := parseInterspersed(fs, tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(args, tc.wantArgs) || *json != tc.wantJSON || *r != tc.wantR || *s != tc.wantS || *store != tc.store {
			t.Errorf("%q: args %q err %v json %v r %v S %v store %q", tc.args, args, err, *json, *r, *s, *store)
		}
	}
}

func TestCountFlag(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var v countFlag
	fs.Var(&v, "v", "")
	if err := fs.Parse([]string{"-v", "-v", "-v"}); err != nil || v != 3 {
		t.Errorf("-v -v -v: %d %v", v, err)
	}
}

func TestCommandFirst(t *testing.T) {
	got := commandFirst([]string{"-v", "--store", "daemon", "build", "x"})
	if want := []string{"build", "-v", "--store", "daemon", "x"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendJSONString(t *testing.T) {
	got := string(appendJSONString(nil, "a\"b\\c\nd\re\tf\x01g\x1f<&>é"))
	if want := `"a\"b\\c\nd\re\tf\u0001g\u001f<&>é"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestWriteSize(t *testing.T) {
	for _, tc := range []struct {
		n     uint64
		human bool
		want  string
	}{
		{120, false, "\t        120"},
		{120, true, "\t 120.0 "},
		{1024, true, "\t1024.0 "},
		{1025, true, "\t   1.0K"},
		{5 << 30, true, "\t   5.0G"},
		{1<<64 - 1, true, "\t  16.0E"},
	} {
		var b bytes.Buffer
		writeSize(&b, tc.n, tc.human)
		if b.String() != tc.want {
			t.Errorf("writeSize(%d, %v) = %q, want %q", tc.n, tc.human, b.String(), tc.want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	if got, want := progressLine("x", 3<<20, 6<<20, 2*time.Second), "x  3.0 MiB / 6.0 MiB (50%)  1.5 MiB/s"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := progressLine("x", 10, 0, 0), "x  10 B  0 B/s"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var out bytes.Buffer
	p := startProgress(&lockedWriter{w: &out}, "nar", 0)
	p.observe(50, 100)
	io.WriteString(p.Writer(io.Discard), "abc")
	p.Stop()
	if s := out.String(); !strings.Contains(s, "nar  53 B / 100 B (53%)  ") || !strings.HasSuffix(s, "B/s\n") {
		t.Errorf("progress drew %q", s)
	}
}

// TestInterrupt sends the process SIGINT while a command waits for a
// stalled daemon: the command stops at once and exits 1.
func TestInterrupt(t *testing.T) {
	waiting := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	d := &clienttest.Daemon{NixVersion: "2.26.3", Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpQueryAllValidPaths: func(op *clienttest.Op) error {
			close(waiting)
			<-release
			return errors.New("released")
		},
	}}
	sock := serveFake(t, d)
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() { done <- run([]string{"info", "--store", "unix://" + sock}, nil, io.Discard, &stderr) }()
	select {
	case <-waiting:
	case <-time.After(10 * time.Second):
		t.Fatal("the command never asked")
	}
	// signal.NotifyContext is registered: the signal goes to the command.
	syscall.Kill(syscall.Getpid(), syscall.SIGINT)
	select {
	case code := <-done:
		if code != 1 || !strings.Contains(stderr.String(), "nixwire info: interrupted") {
			t.Errorf("exit %d, stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGINT did not stop the command")
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestStdoutFlushError(t *testing.T) {
	var stderr bytes.Buffer
	code := run([]string{"demo"}, nil, failingWriter{}, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "writing standard output: disk full") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestStoreChoice checks which store the commands use: --store, else
// NIX_REMOTE, else auto, which takes the system daemon's socket
// (NIX_DAEMON_SOCKET_PATH here) when it exists.
func TestStoreChoice(t *testing.T) {
	sock := serveFake(t, fakeDaemon())
	const want = "daemon version: 2.26.3\n"
	check := func(name string, args ...string) {
		t.Helper()
		out, errOut, code := nixwireCLI(args...)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, errOut)
		}
	}
	t.Run("NIX_REMOTE", func(t *testing.T) {
		t.Setenv("NIX_REMOTE", "unix://"+sock)
		check("NIX_REMOTE", "info")
		// --store wins over NIX_REMOTE.
		t.Setenv("NIX_REMOTE", "unix:///nonexistent/socket")
		check("--store over NIX_REMOTE", "info", "--store", "unix://"+sock)
		if _, errOut, code := nixwireCLI("info"); code != 1 || !strings.Contains(errOut, "/nonexistent/socket") {
			t.Errorf("bad NIX_REMOTE: exit %d, %q", code, errOut)
		}
	})
	t.Run("auto", func(t *testing.T) {
		t.Setenv("NIX_REMOTE", "")
		t.Setenv("NIX_DAEMON_SOCKET_PATH", sock)
		check("auto with a socket", "info")
		check("daemon", "info", "--store", "daemon")
	})
}

// TestPathInfosShared checks that a batch shared between connections
// gives every path its own answer, in order.
func TestPathInfosShared(t *testing.T) {
	d := &clienttest.Daemon{NixVersion: "2.26.3", Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpQueryPathInfo: pathInfoHandler(func(p messages.StorePath) *messages.UnkeyedValidPathInfo {
			if strings.HasSuffix(string(p), "-gone") {
				return nil
			}
			return &messages.UnkeyedValidPathInfo{Deriver: p + ".drv", NarHash: "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13"}
		}),
	}}
	sock := serveFake(t, d)
	e := &env{stderr: io.Discard}
	e.store.store = "unix://" + sock
	c, err := e.dial(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	paths := make([]messages.StorePath, 5*shareBlock+7)
	for i := range paths {
		name := "p" + strings.Repeat("x", i%5)
		if i%97 == 0 {
			name += "-gone"
		}
		paths[i] = messages.StorePath("/nix/store/" + strings.Repeat("0", 28) + string(rune('a'+i%26)) + "aaa-" + name + "-" + strings.Repeat("y", i/26))
	}
	infos, err := e.pathInfos(t.Context(), c, paths, e.dialHelpers(t.Context(), len(paths)))
	if err != nil {
		t.Fatal(err)
	}
	for i, info := range infos {
		gone := strings.HasSuffix(string(paths[i]), "-gone")
		if gone != (info == nil) || info != nil && (info.Path != paths[i] || info.Deriver != paths[i]+".drv") {
			t.Fatalf("path %d %s: %+v", i, paths[i], info)
		}
	}
}

// TestSSHStore checks that an ssh-ng:// store goes through ssh (the
// client's tests cover a real sshd): a port nothing listens on fails with
// ssh's own complaint.
func TestSSHStore(t *testing.T) {
	t.Setenv("NIX_SSHOPTS", "-o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null")
	_, errOut, code := nixwireCLI("info", "--store", "ssh-ng://nobody@127.0.0.1:1", "--timeout", "20s")
	if code != 1 || !strings.Contains(errOut, "ssh") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestHelpListsEveryCommand checks the command table against the help.
func TestHelpListsEveryCommand(t *testing.T) {
	out := mustCLI(t, "help")
	for name, c := range commands {
		if !strings.Contains(out, "\n  "+name+" ") && !strings.Contains(out, "\n  "+name+"\n") {
			t.Errorf("help does not list %s", name)
		}
		if c.summary == "" {
			t.Errorf("%s has no summary", name)
		}
		if got := mustCLI(t, "help", name); !strings.HasPrefix(got, "usage: nixwire "+name) {
			t.Errorf("help %s: %q", name, got)
		}
	}
}
