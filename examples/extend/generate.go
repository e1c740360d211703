// Package extend is an example of a client project that extends the Nix
// worker protocol with nixwire: ext.schema imports nixwire's Nix schema
// (package github.com/nixwire/nixwire/messages), reuses its types and
// features, and adds the operations of acmed, a hypothetical patched
// daemon that speaks worker protocol 1.39. ext_gen.go is generated from
// it; run `go generate` after editing the schema.
//
// ExtProtocol chains this package's op table before nixwire's worker
// table (the schema says `protocol Ext extends nix.Worker`), so an op of
// this package wins where both define one; clients pass it as
// client.Options.Protocol and servers serve NewExtDispatcher:
//
//	op, ok := extend.ExtProtocol.Lookup(code, proto)
package extend

//go:generate go tool nixwire-gen -schema . -out .
