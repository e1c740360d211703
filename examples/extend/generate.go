// Package extend is an example of a client project that extends the Nix
// worker protocol with nixwire: ext.schema imports nixwire's Nix schema
// (package github.com/nixwire/nixwire/messages), reuses its types and
// features, and adds the operations of acmed, a hypothetical patched
// daemon that speaks worker protocol 1.39. ext_gen.go is generated from
// it; run `go generate` after editing the schema.
//
// Connections combine the op tables of both packages, nixwire's first so
// that an op of this package wins where both define one:
//
//	ops := slices.Concat(messages.WorkerOps, extend.ExtOps)
//	op, ok := ops.Lookup(code, proto)
package extend

//go:generate go tool nixwire-gen -schema . -out .
