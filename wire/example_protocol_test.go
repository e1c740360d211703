package wire_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/nixwire/nixwire/wire"
)

// An extension's Protocol is looked up before its base: from 1.39 the
// extension re-declares op 26, below it the base's op serves.
func ExampleProtocol_Lookup() {
	base := &wire.Protocol{Name: "Worker", Ops: wire.OpTable{{Name: "QueryPathInfo", Code: 26}}}
	ext := &wire.Protocol{Name: "Ext", Base: base, Ops: wire.OpTable{
		{Name: "QueryPathInfoTagged", Code: 26, Gate: wire.Gate{Since: wire.V(1, 39)}},
	}}
	for _, p := range []wire.Proto{wire.P(1, 38), wire.P(1, 39)} {
		op, _ := ext.Lookup(26, p)
		fmt.Println(p, op.Name)
	}
	// Output:
	// 1.38 QueryPathInfo
	// 1.39 QueryPathInfoTagged
}

// WriteRequest writes the op code (from the request's OpCode) and the
// request, or nothing when the request does not encode.
func ExampleWriteRequest() {
	var conn bytes.Buffer
	w := wire.NewWriter(&conn)
	if err := wire.WriteRequest(w, &num{V: 7, op: 26}, wire.P(1, 38)); err != nil {
		fmt.Println(err)
	}
	err := wire.WriteRequest(w, &num{V: 9, Max: 8, op: 26}, wire.P(1, 38))
	w.Flush()
	fmt.Printf("%x\n%v\n", conn.Bytes(), err)
	// Output:
	// 1a000000000000000700000000000000
	// encode num.V: wire: value not representable at this protocol version
}

// A Dispatcher serves one call through a server's Exchange: here the
// recorder of the tests, whose EndLog writes "LAST".
func ExampleDispatcher_Serve() {
	pr := &wire.Protocol{Name: "T", Ops: wire.OpTable{{Name: "Inc", Code: 1}}}
	d, err := wire.NewDispatcher(pr, []wire.Route{func(ctx context.Context, c *wire.Call) error {
		req := new(num)
		if err := c.Decode(req); err != nil {
			return err
		}
		return c.Reply(&num{V: req.V + 1}, nil)
	}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := newRecorder(wire.P(1, 38), le64(41))
	if err := d.Serve(context.Background(), 1, x); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%q\n", x.out.Bytes())
	// Output:
	// "LAST*\x00\x00\x00\x00\x00\x00\x00"
}
