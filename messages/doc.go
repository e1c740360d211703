// Package messages is the Nix worker protocol (nix-daemon; versions 1.10 to
// 1.38 and the 1.38 features) and the serve protocol (nix-store --serve;
// versions 2.1 to 2.8), written in nixwire's schema language and turned into
// Go by nixwire-gen.
//
// The schema files are the source: common.schema (limits, features, named
// string types such as StorePath, enums with Nix's numbers, and the structs
// that are the same in both protocols), worker.schema (handshake, the STDERR
// log channel, the version-dependent compound types and every worker
// operation 1–47, 1000 and 1001) and serve.schema (serve handshake, types
// and commands 1–9). Each generated <name>_gen.go file comes from the schema
// file of the same base name; do not edit it, edit the schema and run
// go generate. The hand-written code is validate.go (StorePath.Validate)
// and derivedpath.go (DerivedPathParts: the two syntaxes of DerivedPath).
//
// Every message type has the wire.Message methods: encode and decode it for
// a negotiated wire.Proto (a version and a set of features), and fields that
// do not exist at that version are skipped exactly as Nix skips them.
// WorkerOps and ServeOps are the operation tables: for an opcode and a
// protocol they give the request and reply types and what data follows each
// message outside it (framed streams, raw NARs, data pulled or pushed through
// the STDERR channel); WorkerProtocol and ServeProtocol wrap them for
// lookups and for extensions (`protocol P extends nix.Worker`), and each
// request type knows its op (Op, OpCode). The server side is generated
// too: WorkerHandler and ServeHandler have one method per op,
// UnimplementedWorkerHandler answers the ops a server leaves out, and
// NewWorkerDispatcher serves a handler through a server's wire.Exchange.
//
// Facts, history and quirks come from Nix's own sources, cited in the schema
// comments, and from a live nix-daemon 2.8. The types decode Nix's golden
// test vectors (src/libstore-tests/data) at their stated versions and
// re-encode them to the same bytes.
package messages
