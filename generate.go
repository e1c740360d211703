// Package nixwire is a Go toolkit for the Nix daemon ("worker") protocol
// and the serve protocol.
//
//   - package wire is the framed-bytes core: numbers, padded byte strings,
//     streaming and framed payloads, protocol versions and errors;
//   - package schema is a small declarative language for protocol messages;
//   - package gen turns a schema into Go types whose methods call into wire;
//   - package messages is the Nix protocol written in that language, with
//     its generated code;
//   - cmd/nixwire-gen is the go:generate tool, cmd/nixwire a CLI for people.
//
// This file holds the go:generate line that regenerates package messages
// and its Markdown reference, docs/protocol.md.
package nixwire

//go:generate go run ./cmd/nixwire-gen -schema ./messages -out ./messages -doc ./docs/protocol.md
