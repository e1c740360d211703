package messages_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Encode a QueryPathInfo request and decode its reply at protocol 1.34 (what
// the handshake with a Nix 2.8 daemon negotiates).
func Example() {
	p := wire.P(1, 34)

	// The client sends the op code, then the request: WriteRequest takes
	// the code from the request (req.OpCode()) and writes both only if the
	// whole request encodes at p, so a failure leaves nothing half-written.
	var toDaemon bytes.Buffer
	w := wire.NewWriter(&toDaemon)
	req := &messages.QueryPathInfoRequest{Path: "/nix/store/g1w7hy3qg1w7hy3qg1w7hy3qg1w7hy3q-foo"}
	if err := wire.WriteRequest(w, req, p); err != nil {
		log.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("request: %d bytes\n", toDaemon.Len())

	// The daemon answers with STDERR frames up to STDERR_LAST, then the
	// reply. (Here its bytes are made up for the example.)
	answer, _ := messages.AppendStderr(nil, &messages.StderrNext{Message: "hello\n"}, p)
	answer, _ = messages.AppendStderr(answer, &messages.StderrLast{}, p)
	answer, _ = (&messages.QueryPathInfoReply{Info: &messages.UnkeyedValidPathInfo{
		NarHash: "15e3c560894cbb27085cf65b5a2ecb18488c999497f4531b6907a7581ce6d527",
		NarSize: 34878, Ultimate: true,
	}}).AppendWire(answer, p)

	r := wire.NewReader(bytes.NewReader(answer))
	for done := false; !done; {
		frame, err := messages.DecodeStderr(r, p)
		if err != nil {
			log.Fatal(err)
		}
		switch f := frame.(type) {
		case *messages.StderrNext:
			fmt.Printf("log: %q\n", f.Message)
		case *messages.StderrError:
			log.Fatal(f.Message) // no reply follows an error
		case *messages.StderrLast:
			done = true
		}
	}
	var reply messages.QueryPathInfoReply
	if err := reply.DecodeWire(r, p); err != nil {
		log.Fatal(err)
	}
	if reply.Info == nil {
		fmt.Println("not valid")
		return
	}
	fmt.Printf("narSize %d, ultimate %v, %d references\n", reply.Info.NarSize, reply.Info.Ultimate, len(reply.Info.References))
	// Output:
	// request: 64 bytes
	// log: "hello\n"
	// narSize 34878, ultimate true, 0 references
}

// A request that cannot be encoded (here a path that StorePath.Validate
// refuses; an enum value that does not exist at the negotiated version
// is another case) leaves the writer untouched with WriteRequest: no op
// code is written that the next request would desynchronise.
func Example_writeRequest() {
	p := wire.P(1, 34)
	var conn bytes.Buffer
	w := wire.NewWriter(&conn)
	bad := &messages.QueryPathInfoRequest{Path: "relative/path"} // StorePath.Validate refuses it
	err := wire.WriteRequest(w, bad, p)
	fmt.Println(err != nil, w.Buffered())
	// Output:
	// true 0
}
