package extend_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/examples/extend"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Example talks to acmed through client.Conn at 1.39: the new op
// QueryProvenance, and QueryPathInfo, whose reply carries the path's tags
// from 1.39. The daemon is the scriptable fake of client/clienttest
// serving an extend.ExtHandler (acmed_test.go) through the generated
// dispatcher: no op is dispatched by hand on either side.
func Example() {
	daemon := &clienttest.Daemon{
		Version:    wire.V(1, 39),
		Features:   []string{messages.FeatureRealisationWithPathNotHash},
		Dispatcher: extend.NewExtDispatcher(newAcmed()),
	}
	nc, _ := daemon.Start()

	conn, err := client.Handshake(nc, client.Options{
		Protocol:   extend.ExtProtocol, // acmed's ops first, then Nix's
		MaxVersion: wire.V(1, 39),
		Features:   []string{messages.FeatureRealisationWithPathNotHash},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()

	var prov extend.QueryProvenanceReply
	if err := conn.Call(ctx, &extend.QueryProvenanceRequest{Path: "/nix/store/a1-hello"}, &prov); err != nil {
		log.Fatal(err)
	}
	p := prov.Provenance
	fmt.Printf("%s!%s built on %s: %v\n", p.Output.DrvPath, p.Output.OutputName, p.Builder, p.Status)

	var info extend.QueryPathInfoTaggedReply
	if err := conn.Call(ctx, &messages.QueryPathInfoRequest{Path: "/nix/store/a1-hello"}, &info); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d bytes, tags %q\n", info.Info.NarSize, info.Tags)
	// Output:
	// /nix/store/d1-hello.drv!out built on b3.acme.example: Built
	// 226552 bytes, tags ["release=2025.06" "team=infra"]
}
