package client_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
)

// validOnly is a messages.WorkerHandler that implements one op; the others
// answer "operation not supported".
type validOnly struct {
	messages.UnimplementedWorkerHandler
}

func (validOnly) IsValidPath(_ context.Context, req *messages.IsValidPathRequest) (*messages.IsValidPathReply, error) {
	return &messages.IsValidPathReply{Valid: req.Path == "/nix/store/a1-hello"}, nil
}

// Call sends a request whose op it knows from the request itself, here to
// the fake daemon of clienttest serving a handler through the generated
// dispatcher.
func ExampleConn_Call() {
	d := &clienttest.Daemon{Dispatcher: messages.NewWorkerDispatcher(validOnly{})}
	nc, _ := d.Start()
	conn, err := client.Handshake(nc, client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	var reply messages.IsValidPathReply
	if err := conn.Call(context.Background(), &messages.IsValidPathRequest{Path: "/nix/store/a1-hello"}, &reply); err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid:", reply.Valid)
	_, err = conn.QueryReferrers(context.Background(), "/nix/store/a1-hello")
	fmt.Println(err)
	// Output:
	// valid: true
	// nix-daemon: QueryReferrers: operation QueryReferrers is not supported
}
