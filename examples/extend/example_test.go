package extend_test

import (
	"bytes"
	"fmt"
	"log"
	"slices"

	"github.com/nixwire/nixwire/examples/extend"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Example is one QueryProvenance exchange with acmed, both sides in
// memory, after a handshake that negotiated 1.39 and Nix's
// realisation-with-path-not-hash feature. The daemon finds the op through
// the combined table of Nix's and Acme's ops, as it does for every op it
// reads.
func Example() {
	ops := slices.Concat(messages.WorkerOps, extend.ExtOps)
	p := wire.P(1, 39, messages.FeatureRealisationWithPathNotHash)
	var toDaemon, toClient bytes.Buffer

	// The client sends the opcode and the request.
	cw := wire.NewWriter(&toDaemon)
	cw.Uint64(uint64(extend.OpQueryProvenance))
	req := &extend.QueryProvenanceRequest{Path: "/nix/store/a1-hello"}
	if err := wire.Encode(cw, req, p); err != nil {
		log.Fatal(err)
	}

	// The daemon reads the opcode, looks the op up and decodes its request.
	dr := wire.NewReader(&toDaemon)
	code, err := dr.Uint64()
	if err != nil {
		log.Fatal(err)
	}
	op, ok := ops.Lookup(code, p)
	if !ok {
		log.Fatalf("unknown op %d at %v", code, p)
	}
	in := op.NewRequest()
	if err := wire.Decode(dr, in, p); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("daemon: %s %s\n", op.Name, in.(*extend.QueryProvenanceRequest).Path)

	// It ends the STDERR session and sends the reply.
	dw := wire.NewWriter(&toClient)
	if err := messages.EncodeStderr(dw, &messages.StderrLast{}, p); err != nil {
		log.Fatal(err)
	}
	out := &extend.QueryProvenanceReply{Provenance: &extend.Provenance{
		Path:    "/nix/store/a1-hello",
		Output:  messages.DrvOutput{DrvPath: "/nix/store/d1-hello.drv", OutputName: "out"},
		Builder: "b3.acme.example",
		Status:  messages.BuildStatusBuilt,
		BuiltAt: 1750000000,
		Tags:    []extend.Tag{"release=2025.06", "team=infra"},
	}}
	if err := wire.Encode(dw, out, p); err != nil {
		log.Fatal(err)
	}

	// The client reads log frames until StderrLast, then the reply.
	cr := wire.NewReader(&toClient)
	for {
		frame, err := messages.DecodeStderr(cr, p)
		if err != nil {
			log.Fatal(err)
		}
		if _, last := frame.(*messages.StderrLast); last {
			break
		}
	}
	var reply extend.QueryProvenanceReply
	if err := wire.Decode(cr, &reply, p); err != nil {
		log.Fatal(err)
	}
	prov := reply.Provenance
	fmt.Printf("client: %s!%s built on %s: %v, tags %q\n",
		prov.Output.DrvPath, prov.Output.OutputName, prov.Builder, prov.Status, prov.Tags)
	// Output:
	// daemon: QueryProvenance /nix/store/a1-hello
	// client: /nix/store/d1-hello.drv!out built on b3.acme.example: Built, tags ["release=2025.06" "team=infra"]
}
