package client_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
)

// This example talks to the in-process fake daemon of clienttest; against a
// real daemon, use client.DialUnix(ctx, client.DefaultSocketPath, opt), or
// Handshake over the pipes of `nix-daemon --stdio`.
func Example() {
	fake := &clienttest.Daemon{
		NixVersion: "2.26.3",
		Trusted:    messages.TrustedFlagTrusted,
		Handlers: map[messages.WorkerOpCode]clienttest.Handler{
			messages.OpIsValidPath: func(op *clienttest.Op) error {
				var req messages.IsValidPathRequest
				if err := op.Decode(&req); err != nil {
					return err
				}
				op.Send(&messages.StderrNext{Message: "checking " + string(req.Path) + "\n"})
				op.Last()
				return op.Reply(&messages.IsValidPathReply{Valid: strings.HasSuffix(string(req.Path), "-hello")})
			},
		},
	}
	conn, _ := fake.Start()

	c, err := client.Handshake(conn, client.Options{
		Logger: func(_ context.Context, _ string, f messages.Stderr) {
			if next, ok := f.(*messages.StderrNext); ok {
				fmt.Print("daemon says: ", next.Message)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	info := c.Info()
	fmt.Println("protocol", info.Proto, "with Nix", info.DaemonVersion, info.Trusted)

	ok, err := c.IsValidPath(context.Background(), "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello")
	fmt.Println(ok, err)

	// An op the fake does not serve: it is refused, and the daemon hangs up.
	err = c.OptimiseStore(context.Background())
	fmt.Println(err)
	// Output:
	// protocol 1.38 with Nix 2.26.3 Trusted
	// daemon says: checking /nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-hello
	// true <nil>
	// nix-daemon: OptimiseStore: invalid operation 34 (connection closed)
}
