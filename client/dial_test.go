package client_test

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/stdio"
	"github.com/nixwire/nixwire/internal/nixdaemon"
	"github.com/nixwire/nixwire/messages"
)

func TestParseStoreURL(t *testing.T) {
	cases := []struct {
		in   string
		want client.StoreURL
	}{
		{"daemon", client.StoreURL{Scheme: "daemon"}},
		{"auto", client.StoreURL{Scheme: "auto"}},
		{"local", client.StoreURL{Scheme: "stdio"}},
		{"local?program=/x/nix-daemon", client.StoreURL{Scheme: "stdio"}},
		{"local?root=/srv/store&program=/x/nix-daemon", client.StoreURL{Scheme: "stdio", Store: "local?root=%2Fsrv%2Fstore"}},
		{"stdio?program=/usr/bin/nix-daemon", client.StoreURL{Scheme: "stdio"}},
		{"unix:///run/nix.sock", client.StoreURL{Scheme: "unix", Path: "/run/nix.sock"}},
		{"ssh-ng://builder", client.StoreURL{Scheme: "ssh-ng", Host: "builder"}},
		{"ssh-ng://me@10.0.0.1:2222?remote-program=/opt/nix-daemon", client.StoreURL{Scheme: "ssh-ng", User: "me", Host: "10.0.0.1", Port: "2222"}},
	}
	for _, tc := range cases {
		u, err := client.ParseStoreURL(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		got := client.StoreURL{Scheme: u.Scheme, Store: u.Store, Path: u.Path, User: u.User, Host: u.Host, Port: u.Port}
		if !reflect.DeepEqual(got, tc.want) || u.String() != tc.in {
			t.Errorf("%s: %+v, want %+v", tc.in, got, tc.want)
		}
	}
	if u, _ := client.ParseStoreURL("ssh-ng://h?remote-program=/x/nix-daemon"); u.Params.Get("remote-program") != "/x/nix-daemon" {
		t.Errorf("params: %v", u.Params)
	}
	for _, bad := range []string{
		"", "https://cache.nixos.org", "unix://", "ssh-ng://", "file:///nix",
		// What ssh would take for an option, which may run a local command.
		"ssh-ng://-oProxyCommand=x", "ssh-ng://-oProxyCommand=touch /tmp/x #@localhost", "ssh-ng://me@-oProxyCommand=x",
		"ssh-ng://me @host", "ssh-ng://me\t@host", "ssh-ng://@host", "ssh-ng://a@b@host", "ssh-ng://host:", "ssh-ng://host:-p1", "ssh-ng://host:22x", "ssh-ng://host?remote-program=-oProxyCommand=x",
	} {
		if _, err := client.ParseStoreURL(bad); !errors.Is(err, client.ErrStoreURL) {
			t.Errorf("%q: %v, want ErrStoreURL", bad, err)
		}
	}
}

func TestDaemonDialStoreURLs(t *testing.T) {
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		sock, dir := startSocket(t, d)
		check := func(how, store string) {
			t.Helper()
			c, err := client.Dial(ctx(t), store, client.Options{})
			if err != nil {
				t.Fatalf("%s: Dial(%q): %v", how, store, err)
			}
			defer c.Close()
			if c.Info().DaemonVersion != d.Version {
				t.Errorf("%s: Info = %+v, want Nix %s", how, c.Info(), d.Version)
			}
			if _, err := c.IsValidPath(ctx(t), "/nix/store/00000000000000000000000000000000-x"); err != nil {
				t.Fatalf("%s: %v", how, err)
			}
		}
		check("unix URL", "unix://"+sock)
		t.Setenv(client.EnvSocketPath, sock)
		check("daemon with NIX_DAEMON_SOCKET_PATH", "daemon")
		check("auto with the socket", "auto")
		t.Setenv(client.EnvRemote, "unix://"+sock)
		check("NIX_REMOTE", "")
		t.Setenv(client.EnvRemote, "")
		check("no NIX_REMOTE: daemon", "")
		check("spawned daemon", "stdio?program="+d.Path)
		// A local store of its own: the child must open it, not the
		// system's store (it is new, so it holds nothing).
		root := filepath.Join(dir, "root")
		c, err := client.Dial(ctx(t), "local?root="+root+"&program="+d.Path, client.Options{})
		if err != nil {
			t.Fatalf("local?root=: %v", err)
		}
		all, err := c.QueryAllValidPaths(ctx(t))
		c.Close()
		if err != nil || len(all) != 0 {
			t.Errorf("local?root=%s: %d valid paths (%v), want a new empty store", root, len(all), err)
		}
		if _, err := os.Stat(filepath.Join(root, "nix", "store")); err != nil {
			t.Errorf("local?root=%s: the daemon did not open that store: %v", root, err)
		}
		t.Setenv(client.EnvSocketPath, filepath.Join(dir, "none"))
		if _, err := client.Dial(ctx(t), "daemon", client.Options{}); err == nil {
			t.Fatal("Dial to a missing socket succeeded")
		}
	})
}

// requireSSHD returns Debian's sshd (scripts/install-sshd.sh installs it),
// skipping the test without it, except under CI=true.
func requireSSHD(t *testing.T) string {
	t.Helper()
	const sshd = "/usr/sbin/sshd"
	_, errD := os.Stat(sshd)
	_, errC := exec.LookPath("ssh")
	_, errK := exec.LookPath("ssh-keygen")
	if err := errors.Join(errD, errC, errK); err != nil {
		if ci := os.Getenv("CI"); ci == "true" || ci == "1" {
			t.Fatalf("openssh-server required under CI=%s (scripts/install-sshd.sh): %v", ci, err)
		}
		t.Skipf("skipping: no openssh (run scripts/install-sshd.sh): %v", err)
	}
	return sshd
}

// startSSHD runs sshd on a free port of 127.0.0.1 with a throwaway host
// key, accepting a throwaway client key, and returns the port and the
// client key's path.
func startSSHD(t *testing.T) (port, key string) {
	sshd := requireSSHD(t)
	dir := t.TempDir()
	for _, k := range []string{"host", "client"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(dir, "client.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ = net.SplitHostPort(addr)
	config := strings.Join([]string{
		"Port " + port,
		"ListenAddress 127.0.0.1",
		"HostKey " + filepath.Join(dir, "host"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PidFile none",
		"PermitRootLogin prohibit-password",
		"StrictModes no",
		"UsePAM no",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"LogLevel ERROR",
	}, "\n") + "\n"
	cfg := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		os.MkdirAll("/run/sshd", 0o755) // sshd's privilege separation directory
	}
	p, err := stdio.StartProcess(t.Context(), exec.Command(sshd, "-D", "-e", "-f", cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Terminate()
		p.WaitOrKill(5 * time.Second)
	})
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if p.Exited() || time.Now().After(deadline) {
			t.Fatalf("sshd did not listen on %s: %v; stderr: %s", addr, p.Err(), p.Stderr())
		}
	}
	return port, filepath.Join(dir, "client")
}

func TestDaemonSSHNG(t *testing.T) {
	port, key := startSSHD(t)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(client.EnvSSHOpts, "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR")
	forEachDaemon(t, func(t *testing.T, d *nixdaemon.Daemon) {
		store := "ssh-ng://" + me.Username + "@127.0.0.1:" + port + "?ssh-key=" + key + "&remote-program=" + d.Path
		c, err := client.Dial(ctx(t), store, client.Options{})
		if err != nil {
			t.Fatalf("Dial(%s): %v", store, err)
		}
		defer c.Close()
		if c.Info().DaemonVersion != d.Version {
			t.Errorf("Info = %+v, want Nix %s", c.Info(), d.Version)
		}
		path, err := d.AddToStore(ctx(t), "nixwire-ssh", []byte("over ssh\n"))
		if err != nil {
			t.Fatal(err)
		}
		// Pipelined over ssh, which splits writes as it likes.
		paths := []string{path, "/nix/store/00000000000000000000000000000000-x", path}
		var sps []messages.StorePath
		for _, p := range paths {
			sps = append(sps, messages.StorePath(p))
		}
		infos, err := c.QueryPathInfos(ctx(t), sps)
		if err != nil || infos[0] == nil || infos[1] != nil || infos[2] == nil || string(infos[0].Path) != path {
			t.Fatalf("QueryPathInfos over ssh: %v, %v", infos, err)
		}
		if err := c.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	})
	// A host that refuses: the error quotes ssh's stderr.
	_, err = client.Dial(ctx(t), "ssh-ng://nobody-here@127.0.0.1:"+port+"?ssh-key="+key, client.Options{})
	if err == nil || !strings.Contains(err.Error(), "ssh") {
		t.Fatalf("Dial as an unknown user: %v", err)
	}
}
