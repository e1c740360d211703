package client_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
)

// exampleDaemon is a fake daemon answering QueryPathInfo for paths ending
// in "-hello" and IsValidPath.
func exampleDaemon() *clienttest.Daemon {
	return &clienttest.Daemon{NixVersion: "2.26.3", Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpQueryPathInfo: func(op *clienttest.Op) error {
			var req messages.QueryPathInfoRequest
			if err := op.Decode(&req); err != nil {
				return err
			}
			op.Last()
			var reply messages.QueryPathInfoReply
			if len(req.Path) > 6 && req.Path[len(req.Path)-6:] == "-hello" {
				reply.Info = &messages.UnkeyedValidPathInfo{NarHash: "0a1b", NarSize: 120, References: []messages.StorePath{}}
			}
			return op.Reply(&reply)
		},
		messages.OpIsValidPath: isValid,
	}}
}

// serveUnix serves the fake daemon on a unix socket in a new directory,
// as a daemon would, and returns the socket's path.
func serveUnix(d *clienttest.Daemon) (string, func()) {
	dir, err := os.MkdirTemp("", "nixwire-example")
	if err != nil {
		log.Fatal(err)
	}
	sock := filepath.Join(dir, "socket")
	l, err := net.Listen("unix", sock)
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { d.Serve(c); c.Close() }()
		}
	}()
	return sock, func() { l.Close(); os.RemoveAll(dir) }
}

// Dial takes the store URLs Nix users write: "daemon", "unix://PATH",
// "ssh-ng://[USER@]HOST", "stdio" (a spawned `nix-daemon --stdio`),
// "auto"; with "", NIX_REMOTE says.
func ExampleDial() {
	sock, stop := serveUnix(exampleDaemon())
	defer stop()
	ctx := context.Background()

	c, err := client.Dial(ctx, "unix://"+sock, client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("unix://…: Nix", c.Info().DaemonVersion)
	c.Close()

	// What Nix's own tools would use: here NIX_REMOTE.
	os.Setenv("NIX_REMOTE", "unix://"+sock)
	defer os.Unsetenv("NIX_REMOTE")
	c, err = client.Dial(ctx, "", client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ok, err := c.IsValidPath(ctx, "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello")
	fmt.Println("NIX_REMOTE:", ok, err)

	_, err = client.Dial(ctx, "https://cache.nixos.org", client.Options{})
	fmt.Println(err != nil)
	// Output:
	// unix://…: Nix 2.26.3
	// NIX_REMOTE: true <nil>
	// true
}

// Start sends an operation without waiting for its reply, so that one
// goroutine can have many requests in flight; the daemon answers them in
// order. (Concurrent callers of a Conn are pipelined the same way.)
func ExampleConn_Start() {
	nc, _ := exampleDaemon().Start()
	c, err := client.Handshake(nc, client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	paths := []messages.StorePath{
		"/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello",
		"/nix/store/00000000000000000000000000000000-missing",
	}
	replies := make([]messages.QueryPathInfoReply, len(paths))
	pending := make([]client.Pending, len(paths))
	for i, p := range paths {
		pending[i] = c.Start(ctx, messages.OpQueryPathInfo, &messages.QueryPathInfoRequest{Path: p}, &replies[i])
	}
	for i := range pending {
		if err := pending[i].Wait(); err != nil {
			log.Fatal(err)
		}
		fmt.Println(paths[i], "valid:", replies[i].Info != nil)
	}

	// The same, typed.
	infos, err := c.QueryPathInfos(ctx, paths)
	fmt.Println(infos[0].NarSize, infos[1] == nil, err)
	// Output:
	// /nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello valid: true
	// /nix/store/00000000000000000000000000000000-missing valid: false
	// 120 true <nil>
}

// A Pool hands out connections for exclusive use, at most MaxOpen at
// once (each is a daemon process), keeping idle ones for reuse.
func ExamplePool() {
	sock, stop := serveUnix(exampleDaemon())
	defer stop()
	pool := client.NewPool(func(ctx context.Context) (*client.Conn, error) {
		return client.Dial(ctx, "unix://"+sock, client.Options{})
	}, client.PoolOptions{MaxOpen: 4, MaxIdle: 2})
	defer pool.Close(context.Background())

	ctx := context.Background()
	for range 3 {
		err := pool.Do(ctx, func(c *client.Conn) error {
			_, err := c.IsValidPath(ctx, "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello")
			return err
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	s := pool.Stats()
	fmt.Println("dials:", s.Dials, "reused:", s.Reused, "idle:", s.Idle)
	// Output:
	// dials: 1 reused: 2 idle: 1
}
